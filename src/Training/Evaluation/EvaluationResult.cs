namespace MLPipeline.Training.Evaluation;

/// <summary>Metrics of one model on one data split.</summary>
public sealed record EvaluationResult(
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyList<IReadOnlyList<long>>? ConfusionMatrix = null,
    IReadOnlyDictionary<string, double>? PerClassRecall = null);
