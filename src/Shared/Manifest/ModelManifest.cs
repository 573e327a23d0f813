using System.Text.Json;
using System.Text.Json.Serialization;

namespace MLPipeline.Shared.Manifest;

/// <summary>
/// Everything a consumer needs to know about one immutable model version. Written last into a
/// version folder: a version without a manifest is incomplete and is never listed or served.
/// </summary>
public sealed record ModelManifest
{
    public const string FileName = "manifest.json";
    public const string ModelFileName = "model.zip";
    public const string OnnxFileName = "model.onnx";
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>The model file's format; null (every manifest written before ONNX imports) means ML.NET.</summary>
    public ModelFormat? Format { get; init; }
    public required string Name { get; init; }
    public required string Version { get; init; }
    public required ModelTask Task { get; init; }
    public required DateTimeOffset CreatedUtc { get; init; }
    public required IReadOnlyList<InputColumn> Inputs { get; init; }
    public required IReadOnlyList<OutputColumn> Outputs { get; init; }
    public required LabelInfo Label { get; init; }
    public required TrainerDescription Trainer { get; init; }
    public required ModelMetrics Metrics { get; init; }
    public required TrainingDataInfo TrainingData { get; init; }
    public required IReadOnlyDictionary<string, ArtifactInfo> Artifacts { get; init; }
    public required LineageInfo Lineage { get; init; }

    /// <summary>One real input row (raw values as strings keyed by column), used for warm-up and docs.</summary>
    public required IReadOnlyDictionary<string, string?> SampleInput { get; init; }

    /// <summary>The training spec as it was read, for reproducibility.</summary>
    public JsonElement? Spec { get; init; }

    /// <summary>ONNX export facts, or why there is no ONNX file.</summary>
    public OnnxInfo? Onnx { get; init; }

    /// <summary>The champion/challenger comparison against the version an alias pointed at, when one was asked for.</summary>
    public ChampionComparison? Champion { get; init; }

    /// <summary>Permutation feature importance on the test split: column -> drop of the main metric.</summary>
    public IReadOnlyDictionary<string, double>? FeatureImportance { get; init; }

    /// <summary>How the trainer was chosen: the search strategy and every trial (absent when one candidate was fit without comparison).</summary>
    public SearchSummary? Search { get; init; }

    /// <summary>Where the training run's time went, step by step in run order (optional: older manifests have none).</summary>
    public IReadOnlyList<StepTiming>? Timings { get; init; }

    /// <summary>The training data's distribution per input column and of the score, for drift (optional: older manifests have none).</summary>
    public TrainingProfile? Profile { get; init; }

    /// <summary>The spec's <c>monitoring</c> settings the service needs (optional).</summary>
    public MonitoringSettings? Monitoring { get; init; }

    /// <summary>An imported ONNX model's graph (format onnx only): its tensors, producer, opsets and sample input.</summary>
    public OnnxGraph? Graph { get; init; }

    /// <summary>The name of the metric used to compare versions of this model (e.g. RSquared).</summary>
    public string MainMetric => Metrics.MainMetric;

    /// <summary>True for an imported ONNX model, served by ONNX Runtime.</summary>
    [JsonIgnore]
    public bool IsOnnx => Format == ModelFormat.Onnx;

    /// <summary>The file the runtime loads: model.onnx for an imported ONNX model, model.zip otherwise.</summary>
    [JsonIgnore]
    public string ModelFile => IsOnnx ? OnnxFileName : ModelFileName;
}

/// <summary>A raw input column: its name, its ML.NET type (<c>Single</c> or <c>String</c>) and how it is featurized.</summary>
/// <param name="Categories">
/// A categorical column's values in the training data, in ordinal order, when it has few of them (null otherwise,
/// and in manifests written before the field existed). Clients may send other values: the model encodes them as unseen.
/// </param>
public sealed record InputColumn(string Name, string Type, ColumnRole Role, IReadOnlyList<string>? Categories = null)
{
    /// <summary>The most values a manifest lists for a categorical column; a column with more lists none.</summary>
    public const int MaxListedCategories = 100;
}

public sealed record OutputColumn(string Name, string Type);

/// <summary>The spec's <c>monitoring</c> section: <c>exclude</c> lists input columns the prediction log leaves out.</summary>
public sealed record MonitoringSettings(IReadOnlyList<string>? Exclude);

/// <summary>The label column and, for classification, the class labels in the model's output order.</summary>
public sealed record LabelInfo(string Column, IReadOnlyList<string>? Classes, string? PositiveClass = null);

/// <param name="MaxRows">Set when the trainer was fit on a uniform sample of about this many training rows.</param>
public sealed record TrainerDescription(string Name, IReadOnlyDictionary<string, JsonElement>? Options, long? MaxRows = null);

public sealed record ModelMetrics
{
    public required string MainMetric { get; init; }
    public required IReadOnlyDictionary<string, double> Test { get; init; }
    public IReadOnlyDictionary<string, MetricSummary>? CrossValidation { get; init; }
    public IReadOnlyList<IReadOnlyList<long>>? ConfusionMatrix { get; init; }
    public IReadOnlyDictionary<string, double>? PerClassRecall { get; init; }
}

public sealed record MetricSummary(double Mean, double StdDev);

/// <summary>The search behind the winner: grid, random or halving, its seed, and every trial in trial order.</summary>
public sealed record SearchSummary(string Strategy, int Seed, IReadOnlyList<TrialSummary> Trials);

/// <summary>
/// One trial: a trainer configuration on a rung (halving trains rung 0 on the fewest rows; grid and random have only
/// rung 0), the share of each training fold it saw, its main metric (cross-validation mean and spread, or the test
/// split without folds) and its wall time. A failed or skipped trial has an error and no metric.
/// </summary>
public sealed record TrialSummary(
    int Trial,
    string Trainer,
    IReadOnlyDictionary<string, JsonElement>? Options,
    int Rung,
    double Fraction,
    double? Metric,
    double? StdDev,
    double Seconds,
    string? Error = null,
    long? MaxRows = null);

/// <summary>The new model (challenger) and the aliased one (champion) scored on the same test rows.</summary>
public sealed record ChampionComparison(
    string Alias,
    string Version,
    string Metric,
    double? Champion,
    double Challenger,
    double Tolerance,
    bool Passed,
    string? Note = null);

public sealed record TrainingDataInfo(string Path, long Rows, string Sha256, long TrainRows, long TestRows);

public sealed record ArtifactInfo(string Sha256, long Size);

/// <summary>One step of a training run (profile, a candidate's cross-validation, final fit, ...) and its wall time.</summary>
public sealed record StepTiming(string Step, double Seconds);

public sealed record LineageInfo(string? SpecFile, string? GitCommit, string MLNetVersion, string Runtime, string? Host);

public sealed record OnnxInfo
{
    public bool Exported { get; init; }
    public string? Reason { get; init; }

    /// <summary>Who wrote model.onnx: "mlpipeline" (our exporter) or "Microsoft.ML.OnnxConverter". Absent in manifests written before the fallback existed (ours wrote those).</summary>
    public string? Exporter { get; init; }

    public string? ExporterVersion { get; init; }

    /// <summary>Why our exporter refused the model, when the official converter wrote model.onnx instead.</summary>
    public string? FallbackReason { get; init; }

    public int? IrVersion { get; init; }
    public IReadOnlyDictionary<string, long>? Opsets { get; init; }
    public double? MaxAbsoluteDifference { get; init; }
    public double? MaxRelativeDifference { get; init; }
    public long? ParityRows { get; init; }

    /// <summary>Rows per ONNX Runtime call in the parity check (always more than one).</summary>
    public int? ParityBatchSize { get; init; }

    /// <summary>Rows of the test split scored for the timings below.</summary>
    public long? TimedRows { get; init; }

    /// <summary>Rows per ONNX Runtime call in the timing (up to 1,024; fewer for a wide model). Absent: one batch, as written before.</summary>
    public int? TimedBatchSize { get; init; }

    /// <summary>Best warm time for ONNX Runtime to score the test split, in batches of <see cref="TimedBatchSize"/>.</summary>
    public double? OnnxRuntimeMilliseconds { get; init; }

    /// <summary>Best warm time for ML.NET to score the test split in one pass.</summary>
    public double? MLNetMilliseconds { get; init; }
}
