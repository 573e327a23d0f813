using System.Text.Json;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Training.Specs;

/// <summary>A training spec (pipelines/&lt;model&gt;.json), validated against pipelines/spec.schema.json.</summary>
public sealed record TrainingSpec
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public required DataSpec Data { get; init; }
    public required string Label { get; init; }
    public required ModelTask Task { get; init; }
    public string? PositiveClass { get; init; }
    public IReadOnlyDictionary<string, ColumnKind> Columns { get; init; } = new Dictionary<string, ColumnKind>();
    public required IReadOnlyList<TrainerSpec> Trainers { get; init; }
    public double TestFraction { get; init; } = 0.2;
    public int Folds { get; init; } = 5;
    public int Seed { get; init; } = 42;
    public CacheMode Cache { get; init; } = CacheMode.Memory;
    public IReadOnlyDictionary<string, string> Gates { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<Expectation> Expectations { get; init; } = [];
    public ExportSpec Export { get; init; } = new();

    /// <summary>How candidates are chosen and compared (default: the grid, every combination on all rows).</summary>
    public SearchSpec Search { get; init; } = new(SearchStrategy.Grid, 0, null, 42, SearchSpec.DefaultEta);

    /// <summary>Input columns the service's prediction log leaves out (spec <c>monitoring.exclude</c>, carried in the manifest).</summary>
    public IReadOnlyList<string> MonitoringExclude { get; init; } = [];

    /// <summary>How much worse than the champion (in the main metric) a new model may be and still pass.</summary>
    public double ChampionTolerance { get; init; }

    /// <summary>Absolute path of the spec file; data paths are relative to its folder.</summary>
    public string SourcePath { get; init; } = "";

    /// <summary>The spec as read, recorded in the manifest.</summary>
    public JsonElement Raw { get; init; }

    /// <summary>The data file's full path, or its blob URI as written when data.path is one.</summary>
    public string DataPath => DataIsBlob ? Data.Path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(SourcePath) ?? ".", Data.Path));

    /// <summary>data.path is an http(s) blob URI, read with the store's credential chain.</summary>
    public bool DataIsBlob => Shared.Store.BlobStoreLocation.IsBlobUri(Data.Path, out _);
}

public sealed record DataSpec
{
    public required string Path { get; init; }
    public string Separator { get; init; } = ",";
    public bool HasHeader { get; init; } = true;
    public bool AllowQuoting { get; init; } = true;

    public char SeparatorChar => Separator is "\\t" or "\t" ? '\t' : Separator[0];
}

public enum ColumnKind
{
    Numeric,
    Categorical,
    Text,
    Ignore,
}

public enum CacheMode
{
    Memory,
    Disk,
    None,
}

/// <param name="MaxRows">Train on a uniform sample of about this many training rows (bounds trainers that hold every row in memory).</param>
/// <param name="Space">Random and halving search: the range each searched option is drawn from.</param>
public sealed record TrainerSpec(string Name, IReadOnlyDictionary<string, JsonElement> Options, IReadOnlyDictionary<string, IReadOnlyList<JsonElement>> Grid, long? MaxRows = null)
{
    public IReadOnlyDictionary<string, SpaceDimension> Space { get; init; } = new Dictionary<string, SpaceDimension>();
}

public sealed record Expectation(IReadOnlyDictionary<string, JsonElement> Input, double Score, double Tolerance);

public sealed record ExportSpec
{
    public bool Onnx { get; init; } = true;

    /// <summary>True when the spec says "onnx" itself; then a model that cannot be exported fails the run.</summary>
    public bool OnnxExplicit { get; init; }
}
