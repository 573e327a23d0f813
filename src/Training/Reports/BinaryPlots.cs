using System.Globalization;

namespace MLPipeline.Training.Reports;

/// <summary>ROC and precision-recall curves with their areas, the calibration curve and the confusion matrix.</summary>
internal static class BinaryPlots
{
    public static IReadOnlyList<(string Title, string File)> Write(TestPredictions p, IReadOnlyList<IReadOnlyList<long>>? confusion, IReadOnlyList<string> classes, string directory)
    {
        var (fpr, tpr) = BinaryCurves.Roc(p.Predicted, p.Positive);
        var roc = Plots.Create(string.Create(CultureInfo.InvariantCulture, $"ROC curve (AUC = {BinaryCurves.Area(fpr, tpr):F4})"), "False positive rate", "True positive rate");
        roc.Add.Scatter(fpr, tpr).MarkerSize = 0;
        roc.Add.Line(0, 0, 1, 1).LinePattern = ScottPlot.LinePattern.Dashed;
        roc.Axes.SetLimits(0, 1, 0, 1.02);

        var (recall, precision) = BinaryCurves.PrecisionRecall(p.Predicted, p.Positive);
        var pr = Plots.Create(string.Create(CultureInfo.InvariantCulture, $"Precision-recall curve (area = {BinaryCurves.Area(recall, precision):F4})"), "Recall", "Precision");
        pr.Add.Scatter(recall, precision).MarkerSize = 0;
        pr.Axes.SetLimits(0, 1, 0, 1.02);

        var (predicted, observed) = BinaryCurves.Calibration(p.Probability, p.Positive);
        var calibration = Plots.Create("Calibration (10 probability bins)", "Mean predicted probability", "Observed positive rate");
        calibration.Add.Scatter(predicted, observed).MarkerSize = 7;
        calibration.Add.Line(0, 0, 1, 1).LinePattern = ScottPlot.LinePattern.Dashed;
        calibration.Axes.SetLimits(0, 1, 0, 1);

        var files = new List<(string, string)>
        {
            ("ROC curve", Plots.Save(roc, directory, "plot-roc.png")),
            ("Precision-recall curve", Plots.Save(pr, directory, "plot-precision-recall.png")),
            ("Calibration curve", Plots.Save(calibration, directory, "plot-calibration.png")),
        };
        if (confusion is not null)
        {
            // ML.NET orders a binary confusion matrix positive first.
            var matrix = Plots.ConfusionMatrix("Confusion matrix (ML.NET predicted label, test split)", confusion, [classes[1], classes[0]]);
            files.Add(("Confusion matrix", Plots.Save(matrix, directory, "plot-confusion-matrix.png")));
        }

        return files;
    }
}
