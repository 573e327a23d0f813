using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Evaluation;

namespace MLPipeline.Training.Reports;

/// <summary>
/// The report's PNG plots, drawn from what the evaluation and the feature importance give: they need nothing the ONNX
/// export makes, so a run draws them beside it.
/// </summary>
public static class ReportPlots
{
    /// <returns>Each plot's title and file name, in the report's order.</returns>
    public static IReadOnlyList<(string Title, string File)> Write(string directory, ModelTask task, string mainMetric, TestPredictions predictions,
        EvaluationResult evaluation, IReadOnlyList<string>? classes, IReadOnlyDictionary<string, double>? importance)
    {
        var plots = task switch
        {
            ModelTask.Regression => RegressionPlots.Write(predictions, directory),
            ModelTask.Binary => BinaryPlots.Write(predictions, evaluation.ConfusionMatrix, classes ?? [], directory),
            _ => MulticlassPlots.Write(evaluation.ConfusionMatrix!, evaluation.PerClassRecall!, classes ?? [], directory),
        };
        if (importance is { Count: > 0 })
        {
            var bars = Plots.Bars($"Permutation feature importance (drop in {mainMetric})", $"Drop in {mainMetric}",
                importance.Take(25).Select(kv => (kv.Key, kv.Value)).ToList());
            plots = [.. plots, ("Feature importance", Plots.Save(bars, directory, "plot-feature-importance.png"))];
        }

        return plots;
    }
}
