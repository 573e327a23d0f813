using System.Globalization;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Runs;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Search;

/// <summary>
/// Runs a search plan through an executor (this process's cores, or workers behind a queue): grid and random in one
/// batch; halving rung by rung, each rung's best 1/eta promoted to eta times the rows. Promotion waits for the whole
/// rung and breaks ties by trial number, so the trials and the winner depend on the seed alone, never on how many
/// workers ran them or in which order they finished.
/// </summary>
public static class SearchDriver
{
    public const string SkippedError = "skipped: the search budget ran out before it started";

    /// <exception cref="SearchFailedException">No trial at the highest rung produced a metric.</exception>
    public static async Task<SearchOutcome> RunAsync(TrainingSpec spec, SearchPlan plan, ITrialExecutor executor, string mainMetric, IRunProgress progress, CancellationToken cancellationToken = default)
    {
        DateTimeOffset? deadline = spec.Search.Budget is { } budget ? DateTimeOffset.UtcNow + budget : null;
        var all = new List<CandidateResult>();
        var rung = plan.FirstRung();
        for (var level = 0; rung.Count > 0; level++)
        {
            if (plan.Halving is not null)
            {
                progress.Note(string.Create(CultureInfo.InvariantCulture, $"Rung {level}: {rung.Count} configuration(s) on {rung[0].Fraction:P0} of the rows"));
            }

            var results = await executor.RunAsync(rung, deadline, cancellationToken);
            all.AddRange(results);
            if (plan.Halving is not { } halving || level + 1 >= halving.Rungs)
            {
                break;
            }

            var next = all.Count + 1;
            rung = results.Where(r => !r.Failed)
                .OrderByDescending(r => r.Rank(mainMetric)).ThenBy(r => r.Trial)
                .Take(halving.Sizes[level + 1])
                .Select((r, i) => new TrialRequest(next + i, r.Candidate, level + 1, halving.Fraction(level + 1)))
                .ToList();
        }

        foreach (var failed in all.Where(r => r.Failed && r.Error != SkippedError))
        {
            progress.Note($"Trial {failed.Trial} ({failed.Candidate.DisplayName}) failed: {failed.Error}");
        }

        var top = all.Where(r => !r.Failed).GroupBy(r => r.Rung).OrderByDescending(g => g.Key).FirstOrDefault();
        if (top is null)
        {
            var reasons = string.Join("; ", all.Select(r => r.Error).Distinct().Take(3));
            throw new SearchFailedException($"{spec.SourcePath}: every one of the search's {all.Count} trial(s) failed: {reasons}");
        }

        return new SearchOutcome(all, top.OrderByDescending(r => r.Rank(mainMetric)).ThenBy(r => r.Trial).First());
    }

    public static CandidateResult Skipped(TrialRequest trial) =>
        new(trial.Candidate, null, null, TimeSpan.Zero) { Trial = trial.Number, Rung = trial.Rung, Fraction = trial.Fraction, Error = SkippedError };
}

/// <summary>Every trial of a search, in trial order, and the one that won (on the highest rung that has results).</summary>
public sealed record SearchOutcome(IReadOnlyList<CandidateResult> Trials, CandidateResult Best);
