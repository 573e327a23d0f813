using System.Globalization;
using ScottPlot;

namespace MLPipeline.Training.Reports;

/// <summary>Shared plot conventions: one size, one save step, file names that say what the plot is.</summary>
internal static class Plots
{
    public const int Width = 800;
    public const int Height = 600;

    public static string Save(Plot plot, string directory, string fileName)
    {
        plot.SavePng(Path.Combine(directory, fileName), Width, Height);
        return fileName;
    }

    public static Plot Create(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return plot;
    }

    public static void Points(Plot plot, double[] xs, double[] ys)
    {
        var points = plot.Add.ScatterPoints(xs, ys);
        points.MarkerSize = 5;
    }

    /// <summary>A heat map of counts with each cell's count written on it; rows are actual, columns predicted.</summary>
    public static Plot ConfusionMatrix(string title, IReadOnlyList<IReadOnlyList<long>> counts, IReadOnlyList<string> classes)
    {
        var plot = Create(title, "Predicted", "Actual");
        var k = counts.Count;
        var values = new double[k, k];
        for (var r = 0; r < k; r++)
        {
            for (var c = 0; c < k; c++)
            {
                values[r, c] = counts[r][c];
            }
        }

        var heatmap = plot.Add.Heatmap(values);
        // Darker means more rows, as readers of a confusion matrix expect.
        heatmap.Colormap = new ScottPlot.Colormaps.Blues().Reversed();
        var max = values.Cast<double>().DefaultIfEmpty(0).Max();
        for (var r = 0; r < k; r++)
        {
            for (var c = 0; c < k; c++)
            {
                var text = plot.Add.Text(values[r, c].ToString(CultureInfo.InvariantCulture), c, k - 1 - r);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontColor = values[r, c] > max / 2 ? Colors.White : Colors.Black;
                text.LabelFontSize = k > 6 ? 12 : 18;
            }
        }

        var positions = Enumerable.Range(0, k).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(positions, classes.ToArray());
        plot.Axes.Left.SetTicks(positions, classes.Reverse().ToArray());
        return plot;
    }

    /// <summary>Horizontal bars, largest on top.</summary>
    public static Plot Bars(string title, string valueLabel, IReadOnlyList<(string Name, double Value)> bars)
    {
        var plot = Create(title, valueLabel, "");
        var ordered = bars.Reverse().ToList();
        var barPlot = plot.Add.Bars(ordered.Select(b => b.Value).ToArray());
        barPlot.Horizontal = true;
        plot.Axes.Left.SetTicks(Enumerable.Range(0, ordered.Count).Select(i => (double)i).ToArray(), ordered.Select(b => b.Name).ToArray());
        plot.Axes.Margins(left: 0);
        return plot;
    }
}
