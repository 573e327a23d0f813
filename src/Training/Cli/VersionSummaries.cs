using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;

namespace MLPipeline.Training.Cli;

/// <summary>Reads what the list commands show: versions with their main metric and the aliases on them.</summary>
public static class VersionSummaries
{
    public static double? MainMetricValue(ModelManifest manifest) =>
        manifest.Metrics.Test.TryGetValue(manifest.MainMetric, out var value) ? value : null;

    public static VersionSummary Describe(ModelManifest manifest, IReadOnlyList<AliasRecord> aliases) => new(
        manifest.Name,
        manifest.Version,
        manifest.CreatedUtc,
        manifest.Trainer.Name,
        manifest.MainMetric,
        MainMetricValue(manifest),
        manifest.Artifacts.ContainsKey(ModelManifest.OnnxFileName),
        aliases.Where(a => a.Version == manifest.Version).Select(a => a.Alias).ToList())
    {
        CrossValidationMean = manifest.Metrics.CrossValidation?.GetValueOrDefault(manifest.MainMetric)?.Mean,
        TestMetrics = manifest.Metrics.Test,
    };

    /// <param name="versions">The model's valid versions, oldest first (see <see cref="IModelStore.ScanVersionsAsync"/>).</param>
    public static async Task<ModelSummary> SummarizeAsync(IModelStore store, string name, IReadOnlyList<ModelManifest> versions, CancellationToken cancellationToken)
    {
        var aliases = await store.ListAliasesAsync(name, cancellationToken);
        var latest = versions.Count > 0 ? versions[^1] : null;
        return new ModelSummary(
            name,
            versions.Count,
            latest?.Version,
            latest?.MainMetric,
            latest is null ? null : MainMetricValue(latest),
            aliases.ToDictionary(a => a.Alias, a => a.Version, StringComparer.Ordinal));
    }
}
