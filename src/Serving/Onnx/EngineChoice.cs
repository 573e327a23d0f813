namespace MLPipeline.Serving.Onnx;

/// <summary>
/// Which engine answers a version's requests, shown by GET /models/{name}: the engine for one row, the engine for a
/// batch, the batch size from which ONNX Runtime answers (null when it never does), and why.
/// </summary>
public sealed record EngineChoice(string SingleRow, string Batch, int? OnnxRuntimeFromRows, string Reason)
{
    public const string MLNet = "ML.NET";
    public const string OnnxRuntime = "ONNX Runtime";

    public static EngineChoice MLNetOnly(string reason) => new(MLNet, MLNet, null, reason);

    /// <summary>An imported ONNX model: ONNX Runtime answers every request, one row or many.</summary>
    public static EngineChoice OnnxOnly() => new(OnnxRuntime, OnnxRuntime, 1, "The version is an imported ONNX model (format onnx).");
}
