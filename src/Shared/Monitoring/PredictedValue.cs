namespace MLPipeline.Shared.Monitoring;

/// <summary>A model's answer for one row: the score (regression, binary), the probability and class (binary), the class and class scores (multiclass).</summary>
public sealed record PredictedValue(float Score, float Probability, string? Label, float[]? Scores);
