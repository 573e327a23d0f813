using MLPipeline.Shared.Manifest;

namespace MLPipeline.Training.Evaluation;

/// <summary>The metrics each task reports (ML.NET's names), and the one that ranks trainers.</summary>
public static class MetricNames
{
    public static string MainMetric(ModelTask task) => task switch
    {
        ModelTask.Regression => "RSquared",
        ModelTask.Binary => "AreaUnderRocCurve",
        _ => "MacroAccuracy",
    };

    public static IReadOnlyList<string> For(ModelTask task) => task switch
    {
        ModelTask.Regression => ["RSquared", "RootMeanSquaredError", "MeanAbsoluteError", "MeanSquaredError"],
        ModelTask.Binary => ["AreaUnderRocCurve", "AreaUnderPrecisionRecallCurve", "Accuracy", "F1Score", "LogLoss", "LogLossReduction", "PositivePrecision", "PositiveRecall", "NegativePrecision", "NegativeRecall"],
        _ => ["MacroAccuracy", "MicroAccuracy", "LogLoss", "LogLossReduction"],
    };

    /// <summary>Errors and losses: smaller is better.</summary>
    public static bool LowerIsBetter(string metric) => MetricDirection.LowerIsBetter(metric);
}
