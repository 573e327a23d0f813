namespace MLPipeline.Serving.Options;

/// <summary>
/// <c>Serving:BatchEngine</c>: which engine scores requests of several rows. ML.NET always scores single rows unless a
/// measurement says ONNX Runtime is faster even there.
/// </summary>
public enum BatchEngineChoice
{
    /// <summary>Measured when a version loads: ONNX Runtime from the batch size where it beats ML.NET, when its model.onnx passed parity.</summary>
    Auto,

    /// <summary>ML.NET for every request.</summary>
    MLNet,

    /// <summary>ONNX Runtime for every request of two rows or more, when the version's model.onnx passed parity.</summary>
    OnnxRuntime,
}
