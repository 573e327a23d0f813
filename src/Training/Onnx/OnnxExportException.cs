namespace MLPipeline.Training.Onnx;

/// <summary>
/// The model holds a step the exporter cannot express in ONNX; the message names the step and its column
/// or trainer. Exit code 5 when the spec asked for ONNX explicitly (docs/onnx.md).
/// </summary>
public class OnnxExportException(string message) : Exception(message);
