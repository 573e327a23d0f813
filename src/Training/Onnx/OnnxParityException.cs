namespace MLPipeline.Training.Onnx;

/// <summary>ONNX Runtime and ML.NET disagree on the parity rows: nothing is published. Exit code 5.</summary>
public sealed class OnnxParityException(string message) : OnnxExportException(message);
