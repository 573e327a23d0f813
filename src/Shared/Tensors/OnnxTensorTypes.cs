using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Shared.Tensors;

/// <summary>
/// A graph input or output as the manifest describes it, from ONNX Runtime's metadata: tensors of the element types
/// JSON can carry, and (outputs only) a sequence of maps as ZipMap writes. Anything else is refused with a
/// <see cref="NotSupportedException"/> naming it (import-onnx at publish, the service for a bare .onnx source).
/// </summary>
public static class OnnxTensorTypes
{
    public static OnnxTensor Describe(string name, NodeMetadata metadata, bool isInput)
    {
        var role = isInput ? "input" : "output";
        switch (metadata.OnnxValueType)
        {
            case OnnxValueType.ONNX_TYPE_TENSOR:
                return new OnnxTensor(name, ElementName(metadata.ElementDataType, $"{role} '{name}'"), [.. metadata.Dimensions.Select(d => (long)(d < 0 ? -1 : d))]);
            case OnnxValueType.ONNX_TYPE_SEQUENCE when !isInput && metadata.AsSequenceMetadata().ElementMeta is { OnnxValueType: OnnxValueType.ONNX_TYPE_MAP } element:
                var map = element.AsMapMetadata();
                var key = map.KeyDataType switch
                {
                    TensorElementType.Int64 => "int64",
                    TensorElementType.String => "string",
                    var other => throw new NotSupportedException($"output '{name}' is a sequence of maps keyed by {other}, which the service cannot express (keys: int64 or string)."),
                };
                var value = map.ValueMetadata.OnnxValueType == OnnxValueType.ONNX_TYPE_TENSOR && map.ValueMetadata.ElementDataType is TensorElementType.Float or TensorElementType.Double
                    ? ElementName(map.ValueMetadata.ElementDataType, $"output '{name}'")
                    : throw new NotSupportedException($"output '{name}' is a sequence of maps whose values are not float or double, which the service cannot express.");
                return new OnnxTensor(name, value, [], OnnxTensor.MapSequenceKind, key);
            default:
                throw new NotSupportedException($"{role} '{name}' is a {Kind(metadata.OnnxValueType)}, which the service cannot express: "
                    + $"{(isInput ? "inputs must be tensors" : "outputs must be tensors or a sequence of maps (ZipMap)")} of {string.Join(", ", OnnxTensor.ElementTypes)}.");
        }
    }

    /// <summary>Why a graph without inputs or outputs cannot be served (a request sends one tensor per input and is answered from the outputs), or null.</summary>
    public static string? EmptyGraphProblem(IReadOnlyList<OnnxTensor> inputs, IReadOnlyList<OnnxTensor> outputs) =>
        inputs.Count == 0 ? "the graph has no inputs; the service answers requests that send one tensor per input."
        : outputs.Count == 0 ? "the graph has no outputs; the service answers a request with the graph's outputs."
        : null;

    public static string ElementName(TensorElementType type, string what) => type switch
    {
        TensorElementType.Float => "float",
        TensorElementType.Double => "double",
        TensorElementType.Int32 => "int32",
        TensorElementType.Int64 => "int64",
        TensorElementType.Bool => "bool",
        TensorElementType.String => "string",
        _ => throw new NotSupportedException($"{what} holds {type.ToString().ToLowerInvariant()} tensors, which the service cannot express (element types: {string.Join(", ", OnnxTensor.ElementTypes)})."),
    };

    private static string Kind(OnnxValueType type) => type switch
    {
        OnnxValueType.ONNX_TYPE_SEQUENCE => "sequence of other than maps",
        OnnxValueType.ONNX_TYPE_MAP => "map",
        OnnxValueType.ONNX_TYPE_SPARSETENSOR => "sparse tensor",
        OnnxValueType.ONNX_TYPE_OPTIONAL => "optional value",
        _ => type.ToString(),
    };
}
