namespace MLPipeline.Training.Onnx;

/// <summary>
/// One scorer's outputs for a set of rows, flattened row-major: scores (1 per row, K for multiclass),
/// probabilities (binary only) and predicted labels as text ("True"/"False" for binary).
/// </summary>
internal sealed record ModelPredictions(float[] Scores, float[]? Probabilities, string[] Labels);
