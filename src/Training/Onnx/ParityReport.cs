namespace MLPipeline.Training.Onnx;

/// <summary>How closely ONNX Runtime reproduced ML.NET, and how long each took to score the timed rows.</summary>
public sealed record ParityReport(
    double MaxAbsoluteDifference,
    double MaxRelativeDifference,
    long Rows,
    int BatchSize,
    long TimedRows,
    int TimedBatchSize,
    double OnnxRuntimeMilliseconds,
    double MLNetMilliseconds);
