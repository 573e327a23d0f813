using MLPipeline.Training.Cli;
using MLPipeline.Training.Runs;

namespace MLPipeline.Training.Search;

/// <summary>Runs trials in this process, as many at a time as there are cores.</summary>
public sealed class ParallelTrialExecutor(TrialEvaluator evaluator, IRunProgress progress, int? parallelism = null) : ITrialExecutor
{
    public async Task<IReadOnlyList<CandidateResult>> RunAsync(IReadOnlyList<TrialRequest> trials, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        var results = new CandidateResult[trials.Count];
        var gate = new object();
        using var step = progress.Start($"Trials {trials[0].Number}-{trials[^1].Number}", trials.Count);
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism ?? Environment.ProcessorCount, CancellationToken = cancellationToken };
        await Parallel.ForAsync(0, trials.Count, options, (i, _) =>
        {
            var trial = trials[i];
            results[i] = deadline is { } end && DateTimeOffset.UtcNow >= end
                ? SearchDriver.Skipped(trial)
                : evaluator.Evaluate(trial);
            lock (gate)
            {
                step.Advance(trial.Candidate.DisplayName);
            }

            return ValueTask.CompletedTask;
        });
        return results;
    }
}
