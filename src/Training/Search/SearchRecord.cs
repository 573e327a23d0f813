using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Runs;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Search;

/// <summary>The manifest's record of a search: every trial with its configuration, rung, metric and time.</summary>
public static class SearchRecord
{
    public static SearchSummary Describe(TrainingSpec spec, SearchPlan plan, IReadOnlyList<CandidateResult> trials, string mainMetric) =>
        new(plan.Strategy.ToString().ToLowerInvariant(), spec.Search.Seed, trials.Select(t => Trial(t, mainMetric)).ToList());

    public static TrialSummary Trial(CandidateResult trial, string mainMetric)
    {
        // JSON has no NaN: a metric ML.NET could not compute is recorded as absent.
        double? metric = trial.Failed || double.IsNaN(trial.Score(mainMetric)) ? null : Math.Round(trial.Score(mainMetric), 6);
        double? spread = trial.CrossValidation?[mainMetric].StdDev is { } s && !double.IsNaN(s) && !trial.Failed ? Math.Round(s, 6) : null;
        return new TrialSummary(
            trial.Trial,
            trial.Candidate.Definition.Name,
            trial.Candidate.Options.Count > 0 ? trial.Candidate.Options : null,
            trial.Rung,
            Math.Round(trial.Fraction, 6),
            metric,
            spread,
            Math.Round(trial.Duration.TotalSeconds, 3),
            trial.Error,
            trial.Candidate.MaxRows);
    }
}
