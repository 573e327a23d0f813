namespace MLPipeline.Training.Onnx;

/// <summary>
/// Which exporter writes model.onnx: ours (<see cref="OnnxExporter"/>), the official Microsoft.ML.OnnxConverter
/// with its graph rewritten to our contract (<see cref="OfficialOnnxConverter"/>), or ours with the official one
/// as the fallback for a model ours refuses (the default).
/// </summary>
public enum OnnxExporterChoice
{
    Auto,
    Own,
    Official,
}
