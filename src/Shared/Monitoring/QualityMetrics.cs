namespace MLPipeline.Shared.Monitoring;

/// <summary>The quality metrics over joined rows, defined as ML.NET's evaluators define them (a test checks them against ML.NET).</summary>
public static class QualityMetrics
{
    // ML.NET clamps probabilities this far from 0 and 1 before taking the log-loss.
    private const double LogLossEpsilon = 1e-15;

    public static Dictionary<string, double> Regression(IReadOnlyList<JoinedRow> rows)
    {
        double absolute = 0, squared = 0, mean = rows.Average(r => r.Truth), total = 0;
        foreach (var row in rows)
        {
            var error = row.Truth - row.Predicted.Score;
            absolute += Math.Abs(error);
            squared += error * error;
            total += (row.Truth - mean) * (row.Truth - mean);
        }

        return new()
        {
            ["MeanAbsoluteError"] = absolute / rows.Count,
            ["RootMeanSquaredError"] = Math.Sqrt(squared / rows.Count),
            ["RSquared"] = 1 - (squared / total),
        };
    }

    /// <summary>Truth is the class index: 1 for the positive class.</summary>
    public static Dictionary<string, double> Binary(IReadOnlyList<JoinedRow> rows, IReadOnlyList<string> classes)
    {
        var correct = 0;
        double logLoss = 0;
        foreach (var row in rows)
        {
            var positive = row.Truth > 0.5;
            if ((row.Predicted.Label == classes[1]) == positive)
            {
                correct++;
            }

            var p = Math.Clamp(positive ? row.Predicted.Probability : 1 - row.Predicted.Probability, LogLossEpsilon, 1);
            logLoss -= Math.Log2(p);
        }

        var metrics = new Dictionary<string, double>
        {
            ["Accuracy"] = (double)correct / rows.Count,
            ["LogLoss"] = logLoss / rows.Count,
        };
        if (AreaUnderRocCurve(rows) is { } auc)
        {
            metrics["AreaUnderRocCurve"] = auc;
        }

        return metrics;
    }

    /// <summary>Truth is the class index in the model's classes.</summary>
    public static Dictionary<string, double> Multiclass(IReadOnlyList<JoinedRow> rows, IReadOnlyList<string> classes)
    {
        var seen = new long[classes.Count];
        var right = new long[classes.Count];
        var correct = 0;
        foreach (var row in rows)
        {
            var truth = (int)row.Truth;
            seen[truth]++;
            if (row.Predicted.Label == classes[truth])
            {
                correct++;
                right[truth]++;
            }
        }

        // Macro accuracy averages the recall of the classes that occur among the labels.
        var present = Enumerable.Range(0, classes.Count).Where(k => seen[k] > 0).ToList();
        return new()
        {
            ["MicroAccuracy"] = (double)correct / rows.Count,
            ["MacroAccuracy"] = present.Average(k => (double)right[k] / seen[k]),
        };
    }

    /// <summary>The probability that a positive row scores above a negative one (ties count half); null without both classes.</summary>
    private static double? AreaUnderRocCurve(IReadOnlyList<JoinedRow> rows)
    {
        var ordered = rows.OrderBy(r => r.Predicted.Score).ToList();
        long positives = ordered.Count(r => r.Truth > 0.5), negatives = ordered.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            return null;
        }

        // Rank-sum (Mann-Whitney) with average ranks for ties.
        double rankSum = 0;
        for (var i = 0; i < ordered.Count;)
        {
            var j = i;
            while (j < ordered.Count && ordered[j].Predicted.Score == ordered[i].Predicted.Score)
            {
                j++;
            }

            var averageRank = (i + 1 + j) / 2.0;
            for (var k = i; k < j; k++)
            {
                if (ordered[k].Truth > 0.5)
                {
                    rankSum += averageRank;
                }
            }

            i = j;
        }

        return (rankSum - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }
}
