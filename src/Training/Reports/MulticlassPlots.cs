namespace MLPipeline.Training.Reports;

/// <summary>The confusion matrix heat map and recall per class.</summary>
internal static class MulticlassPlots
{
    public static IReadOnlyList<(string Title, string File)> Write(IReadOnlyList<IReadOnlyList<long>> confusion, IReadOnlyDictionary<string, double> recall, IReadOnlyList<string> classes, string directory)
    {
        var matrix = Plots.ConfusionMatrix("Confusion matrix (test split)", confusion, classes);
        var bars = Plots.Bars("Recall per class (test split)", "Recall", classes.Select(c => (c, recall[c])).ToList());
        return
        [
            ("Confusion matrix", Plots.Save(matrix, directory, "plot-confusion-matrix.png")),
            ("Recall per class", Plots.Save(bars, directory, "plot-per-class-recall.png")),
        ];
    }
}
