using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Trainers;

namespace MLPipeline.Training.Runs;

/// <summary>How one candidate did in the comparison.</summary>
public sealed record CandidateResult(
    TrainerCandidate Candidate,
    IReadOnlyDictionary<string, MetricSummary>? CrossValidation,
    IReadOnlyDictionary<string, double>? Holdout,
    TimeSpan Duration)
{
    /// <summary>The main metric used to rank: the CV mean, else the test split value.</summary>
    public double Score(string metric) => CrossValidation?[metric].Mean ?? Holdout![metric];
}
