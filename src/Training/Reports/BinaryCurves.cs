namespace MLPipeline.Training.Reports;

/// <summary>ROC, precision-recall and calibration points computed from scores and labels.</summary>
internal static class BinaryCurves
{
    /// <summary>(false positive rate, true positive rate) as the threshold falls through every score.</summary>
    public static (double[] X, double[] Y) Roc(double[] scores, bool[] positive)
    {
        var (xs, ys) = (new List<double> { 0 }, new List<double> { 0 });
        double p = positive.Count(x => x), n = positive.Length - p, tp = 0, fp = 0;
        foreach (var group in Ranked(scores, positive))
        {
            tp += group.Positives;
            fp += group.Negatives;
            xs.Add(n == 0 ? 0 : fp / n);
            ys.Add(p == 0 ? 0 : tp / p);
        }

        return (xs.ToArray(), ys.ToArray());
    }

    /// <summary>(recall, precision) as the threshold falls through every score.</summary>
    public static (double[] X, double[] Y) PrecisionRecall(double[] scores, bool[] positive)
    {
        var (xs, ys) = (new List<double>(), new List<double>());
        double p = positive.Count(x => x), tp = 0, fp = 0;
        foreach (var group in Ranked(scores, positive))
        {
            tp += group.Positives;
            fp += group.Negatives;
            xs.Add(p == 0 ? 0 : tp / p);
            ys.Add(tp + fp == 0 ? 1 : tp / (tp + fp));
        }

        return (xs.ToArray(), ys.ToArray());
    }

    /// <summary>Mean predicted probability vs observed positive rate in equal-width probability bins.</summary>
    public static (double[] Predicted, double[] Observed) Calibration(double[] probability, bool[] positive, int bins = 10)
    {
        var (xs, ys) = (new List<double>(), new List<double>());
        for (var b = 0; b < bins; b++)
        {
            var members = Enumerable.Range(0, probability.Length)
                .Where(i => Math.Min((int)(probability[i] * bins), bins - 1) == b)
                .ToList();
            if (members.Count > 0)
            {
                xs.Add(members.Average(i => probability[i]));
                ys.Add(members.Count(i => positive[i]) / (double)members.Count);
            }
        }

        return (xs.ToArray(), ys.ToArray());
    }

    public static double Area(double[] x, double[] y) =>
        Enumerable.Range(1, x.Length - 1).Sum(i => (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2);

    private static IEnumerable<(int Positives, int Negatives)> Ranked(double[] scores, bool[] positive) =>
        scores.Select((s, i) => (s, positive[i]))
            .GroupBy(x => x.s)
            .OrderByDescending(g => g.Key)
            .Select(g => (g.Count(x => x.Item2), g.Count(x => !x.Item2)));
}
