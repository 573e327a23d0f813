using MLPipeline.Training.Runs;

namespace MLPipeline.Training.Search;

/// <summary>Runs a batch of independent trials (one rung) and returns one result per trial, in request order.</summary>
public interface ITrialExecutor
{
    /// <param name="deadline">No trial starts after it; those are returned as skipped.</param>
    Task<IReadOnlyList<CandidateResult>> RunAsync(IReadOnlyList<TrialRequest> trials, DateTimeOffset? deadline, CancellationToken cancellationToken);
}
