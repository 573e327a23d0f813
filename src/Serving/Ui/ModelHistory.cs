using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Ui;

/// <summary>One model as its store holds it: every valid version (oldest first), those skipped and why, and its aliases.</summary>
public sealed record ModelHistory(string Name, IReadOnlyList<ModelManifest> Versions, IReadOnlyList<string> InvalidVersions, IReadOnlyList<AliasRecord> Aliases)
{
    public ModelManifest? Newest => Versions.Count > 0 ? Versions[^1] : null;

    public ModelManifest? Find(string version) => Versions.FirstOrDefault(v => v.Version == version);

    public AliasRecord? Alias(string alias) => Aliases.FirstOrDefault(a => a.Alias == alias);

    public IEnumerable<string> AliasesOn(string version) => Aliases.Where(a => a.Version == version).Select(a => a.Alias);

    public static double? TestMetric(ModelManifest manifest) =>
        manifest.Metrics.Test.TryGetValue(manifest.MainMetric, out var value) ? value : null;

    public static MetricSummary? CrossValidationMetric(ModelManifest manifest) =>
        manifest.Metrics.CrossValidation?.GetValueOrDefault(manifest.MainMetric);
}
