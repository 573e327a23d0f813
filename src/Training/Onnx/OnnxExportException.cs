namespace MLPipeline.Training.Onnx;

/// <summary>
/// The model holds a step the exporter cannot express in ONNX; the message names the step and its column
/// or trainer. Exit code 5 when the spec asked for ONNX explicitly (docs/onnx.md).
/// </summary>
public class OnnxExportException(string message) : Exception(message);

/// <summary>ONNX Runtime and ML.NET disagree on the parity rows: nothing is published. Exit code 5.</summary>
public sealed class OnnxParityException(string message) : OnnxExportException(message);
