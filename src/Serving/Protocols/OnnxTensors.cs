using System.Text.Json;
using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Tensors;

namespace MLPipeline.Serving.Protocols;

/// <summary>A request's JSON read into tensors, the shared reader's refusals turned into the service's 400, naming the field.</summary>
internal static class OnnxTensors
{
    public static JsonTensor Nested(JsonElement value, string elementType, string field) =>
        Refused(() => JsonTensor.FromNested(value, elementType, field));

    public static JsonTensor Data(JsonElement data, long[] shape, string elementType, string field) =>
        Refused(() => JsonTensor.FromData(data, shape, elementType, field));

    public static JsonTensor Stack(IReadOnlyList<JsonTensor> rows, string field) =>
        Refused(() => JsonTensor.Stack(rows, field));

    private static JsonTensor Refused(Func<JsonTensor> read)
    {
        try
        {
            return read();
        }
        catch (TensorInputException ex)
        {
            throw new InvalidInputException(ex.Field, ex.Problem);
        }
    }
}
