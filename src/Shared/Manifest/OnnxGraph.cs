using System.Text.Json;

namespace MLPipeline.Shared.Manifest;

/// <summary>
/// An imported ONNX model's graph, as read from model.onnx at import: what it takes and answers, who made it, which
/// operator sets it needs, and a sample input the service runs as its warm-up.
/// </summary>
public sealed record OnnxGraph
{
    public required OnnxProducer Producer { get; init; }

    public required long IrVersion { get; init; }

    /// <summary>Operator set domain ("" is ai.onnx) -> version.</summary>
    public required IReadOnlyDictionary<string, long> Opsets { get; init; }

    public required IReadOnlyList<OnnxTensor> Inputs { get; init; }

    public required IReadOnlyList<OnnxTensor> Outputs { get; init; }

    /// <summary>
    /// One value per input name as nested JSON arrays (one row: the batch dimension, when dynamic, is 1), exactly what
    /// a client sends; the service scores it before a version serves.
    /// </summary>
    public required JsonElement SampleInput { get; init; }
}

/// <summary>The framework that wrote the file, from the graph's producer fields (e.g. "pytorch" "1.13.1").</summary>
public sealed record OnnxProducer(string Name, string? Version);

/// <summary>
/// One graph input or output. <see cref="Kind"/> is <c>tensor</c> (element type and shape) or <c>map-sequence</c>
/// (a sequence of maps, as a ZipMap writes: one map per row from <see cref="KeyType"/> to <see cref="ElementType"/>).
/// </summary>
/// <param name="ElementType">ONNX element type name: float, double, int32, int64, bool, string.</param>
/// <param name="Shape">Dimensions, -1 where the graph leaves a dimension dynamic (a batch of any size); empty for a map sequence.</param>
public sealed record OnnxTensor(
    string Name,
    string ElementType,
    IReadOnlyList<long> Shape,
    string Kind = OnnxTensor.TensorKind,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? KeyType = null)
{
    public const string TensorKind = "tensor";
    public const string MapSequenceKind = "map-sequence";

    /// <summary>The element types a request or an answer can carry in JSON.</summary>
    public static readonly IReadOnlyList<string> ElementTypes = ["float", "double", "int32", "int64", "bool", "string"];

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsMapSequence => Kind == MapSequenceKind;
}
