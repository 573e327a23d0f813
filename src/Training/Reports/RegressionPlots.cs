namespace MLPipeline.Training.Reports;

/// <summary>Predicted vs actual, residuals vs predicted, and the residual histogram.</summary>
internal static class RegressionPlots
{
    public static IReadOnlyList<(string Title, string File)> Write(TestPredictions p, string directory)
    {
        var residuals = p.Actual.Zip(p.Predicted, (a, f) => a - f).ToArray();

        var fit = Plots.Create("Predicted vs actual (test split)", "Actual", "Predicted");
        Plots.Points(fit, p.Actual, p.Predicted);
        var lo = Math.Min(p.Actual.Min(), p.Predicted.Min());
        var hi = Math.Max(p.Actual.Max(), p.Predicted.Max());
        fit.Add.Line(lo, lo, hi, hi).LinePattern = ScottPlot.LinePattern.Dashed;

        var spread = Plots.Create("Residuals vs predicted (test split)", "Predicted", "Residual (actual - predicted)");
        Plots.Points(spread, p.Predicted, residuals);
        spread.Add.HorizontalLine(0).LinePattern = ScottPlot.LinePattern.Dashed;

        var histogram = Plots.Create("Residual histogram (test split)", "Residual (actual - predicted)", "Rows");
        var bins = ScottPlot.Statistics.Histogram.WithBinCount(Math.Clamp(p.Actual.Length / 10, 5, 40), residuals);
        var bars = histogram.Add.Bars(bins.Bins, bins.Counts);
        foreach (var bar in bars.Bars)
        {
            // Bins are given by their lower edge; a bar is drawn centred on its position.
            bar.Position += bins.FirstBinSize / 2;
            bar.Size = bins.FirstBinSize * 0.95;
        }

        histogram.Axes.Margins(bottom: 0);

        return
        [
            ("Predicted vs actual", Plots.Save(fit, directory, "plot-predicted-vs-actual.png")),
            ("Residuals vs predicted", Plots.Save(spread, directory, "plot-residuals.png")),
            ("Residual histogram", Plots.Save(histogram, directory, "plot-residual-histogram.png")),
        ];
    }
}
