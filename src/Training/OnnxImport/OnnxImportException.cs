namespace MLPipeline.Training.OnnxImport;

/// <summary>An ONNX file failed a check before publish (it does not load, its sample does not run, an opset or an output type is not supported); exit code 5, nothing published.</summary>
public sealed class OnnxImportException(string message, Exception? inner = null) : Exception(message, inner);
