using Microsoft.ML.OnnxRuntime;

namespace MLPipeline.Shared.Tensors;

/// <summary>A tensor read from JSON as an ONNX Runtime input value (numbers pinned in place, strings copied in).</summary>
public static class OrtInputs
{
    public static OrtValue Create(JsonTensor tensor) => tensor.Values switch
    {
        float[] v => OrtValue.CreateTensorValueFromMemory(v, tensor.Shape),
        double[] v => OrtValue.CreateTensorValueFromMemory(v, tensor.Shape),
        int[] v => OrtValue.CreateTensorValueFromMemory(v, tensor.Shape),
        long[] v => OrtValue.CreateTensorValueFromMemory(v, tensor.Shape),
        bool[] v => OrtValue.CreateTensorValueFromMemory(v, tensor.Shape),
        string[] v => Strings(v, tensor.Shape),
        _ => throw new ArgumentException($"No ONNX Runtime value for {tensor.ElementType}."),
    };

    private static OrtValue Strings(string[] values, long[] shape)
    {
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
        for (var i = 0; i < values.Length; i++)
        {
            value.StringTensorSetElementAt(values[i].AsSpan(), i);
        }

        return value;
    }
}
