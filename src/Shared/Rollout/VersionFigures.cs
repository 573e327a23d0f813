namespace MLPipeline.Shared.Rollout;

/// <summary>
/// One version's live figures over a step on one replica, or summed over replicas: requests, failures, scoring time,
/// the score distribution and, in shadow mode, how the candidate's copies compared with stable's answers.
/// Counters only, so figures from many replicas add up. Not thread-safe: the collector locks.
/// </summary>
public sealed class VersionFigures
{
    /// <summary>Requests answered (canary, and stable in shadow mode) or copies scored (the candidate in shadow mode).</summary>
    public long Requests { get; set; }

    /// <summary>Requests the version failed although the other version could answer them.</summary>
    public long Errors { get; set; }

    /// <summary>Time to parse, score and write a request, in milliseconds.</summary>
    public ValueHistogram LatencyMs { get; set; } = new();

    /// <summary>One score per row (regression: the score; binary: the probability; multiclass: the top class's score).</summary>
    public ValueHistogram Scores { get; set; } = new();

    /// <summary>Shadow copies whose answer could be compared with stable's, row by row.</summary>
    public long ComparedRows { get; set; }

    /// <summary>Compared rows of a classification model where the candidate gave stable's label.</summary>
    public long AgreedRows { get; set; }

    /// <summary>Compared rows that have a label (classification); regression rows have none.</summary>
    public long LabelledRows { get; set; }

    /// <summary>Sum over compared rows of |candidate score - stable score|.</summary>
    public double ScoreDifferenceSum { get; set; }

    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;

    public double? Agreement => LabelledRows == 0 ? null : (double)AgreedRows / LabelledRows;

    public double? MeanScoreDifference => ComparedRows == 0 ? null : ScoreDifferenceSum / ComparedRows;

    public void Merge(VersionFigures other)
    {
        Requests += other.Requests;
        Errors += other.Errors;
        LatencyMs.Merge(other.LatencyMs);
        Scores.Merge(other.Scores);
        ComparedRows += other.ComparedRows;
        AgreedRows += other.AgreedRows;
        LabelledRows += other.LabelledRows;
        ScoreDifferenceSum += other.ScoreDifferenceSum;
    }

    public VersionFigures Copy()
    {
        var copy = new VersionFigures();
        copy.Merge(this);
        return copy;
    }

    public FiguresSummary Summarize() => new(
        Requests,
        Errors,
        Math.Round(ErrorRate, 5),
        Round(LatencyMs.Quantile(0.5)),
        Round(LatencyMs.Quantile(0.99)),
        Round(Scores.Mean),
        Round(Scores.Quantile(0.1)),
        Round(Scores.Quantile(0.5)),
        Round(Scores.Quantile(0.9)),
        Agreement is { } agreement ? Math.Round(agreement, 5) : null,
        MeanScoreDifference is { } difference ? Round(difference) : null);

    private static double? Round(double value) => double.IsFinite(value) ? Math.Round(value, 4) : null;
}

/// <summary>A version's figures as people read them (status tables, history): rates and quantiles, no bins.</summary>
public sealed record FiguresSummary(
    long Requests,
    long Errors,
    double ErrorRate,
    double? P50Ms,
    double? P99Ms,
    double? ScoreMean,
    double? ScoreP10,
    double? ScoreP50,
    double? ScoreP90,
    double? Agreement,
    double? ScoreDifference)
{
    /// <summary>Live quality from monitoring's feedback, summed over the replicas that reported it; null without feedback.</summary>
    public LiveQuality? Quality { get; init; }
}
