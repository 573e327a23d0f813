using Microsoft.ML.OnnxRuntime;
using MLPipeline.Shared.Tensors;

namespace MLPipeline.Serving.Onnx;

/// <summary>
/// Every ONNX Runtime session of the service starts here: the file's bytes are checked first for tensors whose data
/// lies in another file, which ONNX Runtime would read from the service's working directory (<see cref="OnnxExternalData"/>).
/// </summary>
internal static class OnnxSessions
{
    /// <exception cref="InvalidDataException">A tensor keeps its data in another file, or the bytes are not a model.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime cannot load the file.</exception>
    public static InferenceSession Create(byte[] onnx, Microsoft.ML.OnnxRuntime.SessionOptions? options = null)
    {
        if (OnnxExternalData.Find(onnx) is { } problem)
        {
            throw new InvalidDataException($"model.onnx: {problem}");
        }

        return options is null ? new InferenceSession(onnx) : new InferenceSession(onnx, options);
    }
}
