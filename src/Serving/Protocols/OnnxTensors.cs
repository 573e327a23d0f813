using System.Text.Json;
using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Tensors;

namespace MLPipeline.Serving.Protocols;

/// <summary>A request's JSON read into tensors, the shared reader's refusals turned into the service's 400, naming the field.</summary>
internal static class OnnxTensors
{
    /// <summary>One value per instance of input <paramref name="input"/>, read into one batch.</summary>
    public static JsonTensor Rows(JsonElement[] values, string elementType, string input) =>
        Refused(() => JsonTensor.FromRows(values, elementType, row => $"instances[{row}].{input}"));

    public static JsonTensor Data(JsonElement data, long[] shape, string elementType, string field) =>
        Refused(() => JsonTensor.FromData(data, shape, elementType, field));

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
