namespace MLPipeline.Shared.Rollout;

/// <summary>
/// What a candidate must show in every step (docs/rollout.md, "Criteria"). A null criterion is not checked. Figures
/// are judged once both versions have <see cref="MinRequests"/> in the current step; a failure rolls back at once.
/// </summary>
public sealed record RolloutCriteria
{
    /// <summary>Requests (canary) or scored copies (shadow) each version needs in a step before anything is judged.</summary>
    public int MinRequests { get; init; } = 200;

    /// <summary>The candidate's share of failed requests, at most.</summary>
    public double? MaxErrorRate { get; init; } = 0.01;

    /// <summary>The candidate's error rate minus stable's, at most.</summary>
    public double? MaxErrorRateOverStable { get; init; } = 0.005;

    /// <summary>The candidate's p99 scoring time over stable's, at most (plus <see cref="LatencySlackMs"/>).</summary>
    public double? MaxLatencyRatio { get; init; } = 1.5;

    /// <summary>Differences below this many milliseconds are scheduler noise, not the model's: added to stable's p99 times the ratio.</summary>
    public double LatencySlackMs { get; init; } = 1;

    /// <summary>Shadow mode, classification: the share of copies where the candidate gives stable's label, at least.</summary>
    public double? MinAgreement { get; init; } = 0.95;

    /// <summary>
    /// How far the candidate's score distribution may be from stable's, at most: the Kolmogorov-Smirnov distance (the
    /// largest gap between the two cumulative distributions, 0 to 1). A larger distance fails only when it is still beyond
    /// the limit after taking off what chance gives for the requests seen (the test's 99.9% bound); until then the step
    /// waits for more requests.
    /// Scores: regression the score, binary the probability, multiclass the top class's score.
    /// </summary>
    public double? MaxScoreShift { get; init; } = 0.1;

    /// <summary>Live quality (from monitoring, when present): how much worse the candidate's may be than stable's, at most.</summary>
    public double? MaxQualityDrop { get; init; } = 0.02;

    /// <summary>Labelled predictions each version needs before live quality is judged.</summary>
    public int MinQualityLabels { get; init; } = 100;
}
