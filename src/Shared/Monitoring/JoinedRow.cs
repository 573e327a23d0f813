namespace MLPipeline.Shared.Monitoring;

/// <summary>A prediction with its ground truth: a number (regression), or the index of the true class in the model's classes.</summary>
public readonly record struct JoinedRow(PredictedValue Predicted, double Truth);
