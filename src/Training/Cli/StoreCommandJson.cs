using System.Text.Json;
using System.Text.Json.Serialization;
using MLPipeline.Shared.Store;

namespace MLPipeline.Training.Cli;

/// <summary>One model in <c>list --json</c>.</summary>
public sealed record ModelSummary(
    string Name, int Versions, string? LatestVersion, string? MainMetric, double? MainMetricValue, IReadOnlyDictionary<string, string> Aliases);

/// <summary>One version in <c>list &lt;name&gt; --json</c>: the model's history, one entry per version.</summary>
public sealed record VersionSummary(
    string Name, string Version, DateTimeOffset CreatedUtc, string Trainer, string MainMetric, double? MainMetricValue, bool Onnx, IReadOnlyList<string> Aliases)
{
    /// <summary>Cross-validation mean of the main metric, when the run cross-validated.</summary>
    public double? CrossValidationMean { get; init; }

    /// <summary>Every test-split metric of the version.</summary>
    public IReadOnlyDictionary<string, double>? TestMetrics { get; init; }
}

/// <summary>The result of <c>publish --json</c> and <c>download --json</c>.</summary>
public sealed record VersionTransfer(string Name, string Version, string Store, string? Directory, IReadOnlyList<string> Files);

/// <summary>The JSON shapes of the store commands' <c>--json</c> output (camelCase, like the manifest).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(IReadOnlyList<ModelSummary>))]
[JsonSerializable(typeof(IReadOnlyList<VersionSummary>))]
[JsonSerializable(typeof(VersionTransfer))]
[JsonSerializable(typeof(AliasRecord))]
[JsonSerializable(typeof(RolloutStatus))]
public sealed partial class StoreCommandJson : JsonSerializerContext;
