using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Trainers;

namespace MLPipeline.Training.Runs;

/// <summary>How one trial of the comparison did: one candidate, on one rung of the search.</summary>
public sealed record CandidateResult(
    TrainerCandidate Candidate,
    IReadOnlyDictionary<string, MetricSummary>? CrossValidation,
    IReadOnlyDictionary<string, double>? Holdout,
    TimeSpan Duration)
{
    /// <summary>1-based trial number, in the order the search drew the trials.</summary>
    public int Trial { get; init; } = 1;

    /// <summary>Halving's rung (0 = fewest rows); 0 for grid and random.</summary>
    public int Rung { get; init; }

    /// <summary>Share of each training fold the trainer saw.</summary>
    public double Fraction { get; init; } = 1;

    /// <summary>Why the trial has no metrics: it threw, a worker gave up on it, or the budget ran out first.</summary>
    public string? Error { get; init; }

    public bool Failed => Error is not null;

    /// <summary>The main metric used to rank: the CV mean, else the test split value.</summary>
    public double Score(string metric) => CrossValidation?[metric].Mean ?? Holdout![metric];

    /// <summary>The score for ranking: a failed trial or a NaN metric ranks below every real one.</summary>
    public double Rank(string metric) => Failed || double.IsNaN(Score(metric)) ? double.NegativeInfinity : Score(metric);
}
