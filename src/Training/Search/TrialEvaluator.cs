using System.Diagnostics;
using Microsoft.ML;
using MLPipeline.Training.Data;
using MLPipeline.Training.Evaluation;
using MLPipeline.Training.Runs;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Search;

/// <summary>
/// Runs one trial on the run's training split: cross-validates the candidate (or, without folds, scores it on the
/// test split). Each trial gets its own MLContext seeded by the spec, so its result depends on the trial alone,
/// not on which trials ran before it, in which thread or on which machine.
/// </summary>
/// <param name="scratchFolder">Where disk caches go (default: the system's temp folder).</param>
public sealed class TrialEvaluator(TrainingSpec spec, PreparedData data, string? scratchFolder = null)
{
    public TrainingSpec Spec => spec;

    public PreparedData Data => data;

    /// <summary>Runs the trial; a trial that throws is returned as failed, so one bad configuration does not end the search.</summary>
    public CandidateResult Evaluate(TrialRequest trial)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            return Run(trial);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new CandidateResult(trial.Candidate, null, null, clock.Elapsed) { Trial = trial.Number, Rung = trial.Rung, Fraction = trial.Fraction, Error = ex.Message };
        }
    }

    /// <summary>Runs the trial and lets its failure through (a worker retries it, then gives it up to the poison queue).</summary>
    public CandidateResult Run(TrialRequest trial)
    {
        var clock = Stopwatch.StartNew();
        var ml = new MLContext(spec.Seed);
        var result = spec.Folds < 2 ? Holdout(ml, trial) : CrossValidate(ml, trial);
        return result with { Duration = clock.Elapsed };
    }

    private CandidateResult Holdout(MLContext ml, TrialRequest trial)
    {
        var fitted = Fit(ml, trial, data.Train, data.TrainRows);
        var holdout = ModelEvaluator.Evaluate(ml, spec.Task, fitted.Transform(data.Test), data.Classes);
        return new CandidateResult(trial.Candidate, null, holdout.Metrics, TimeSpan.Zero) { Trial = trial.Number, Rung = trial.Rung, Fraction = trial.Fraction };
    }

    private CandidateResult CrossValidate(MLContext ml, TrialRequest trial)
    {
        var evaluations = new List<EvaluationResult>();
        foreach (var fold in ml.Data.CrossValidationSplit(data.Train, spec.Folds, seed: spec.Seed))
        {
            var fitted = Fit(ml, trial, fold.TrainSet, data.TrainRows * (spec.Folds - 1) / spec.Folds);
            evaluations.Add(ModelEvaluator.Evaluate(ml, spec.Task, fitted.Transform(fold.TestSet), data.Classes));
        }

        return new CandidateResult(trial.Candidate, ModelEvaluator.Summarize(evaluations), null, TimeSpan.Zero) { Trial = trial.Number, Rung = trial.Rung, Fraction = trial.Fraction };
    }

    /// <summary>A trial on a rung below the top sees a uniform sample of its fraction of the rows; the test rows are never sampled.</summary>
    private ITransformer Fit(MLContext ml, TrialRequest trial, IDataView rows, long expectedRows)
    {
        long? sample = trial.Fraction < 1 ? Math.Max(1, (long)Math.Ceiling(expectedRows * trial.Fraction)) : null;
        var maxRows = (sample, trial.Candidate.MaxRows) switch
        {
            ({ } a, { } b) => Math.Min(a, b),
            _ => sample ?? trial.Candidate.MaxRows,
        };
        return CandidateEstimator.Build(ml, spec, trial.Candidate, data.Profile, scratchFolder ?? Path.GetTempPath()).Fit(RowSample.AtMost(ml, rows, expectedRows, maxRows, spec.Seed));
    }
}
