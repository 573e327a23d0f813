using System.Diagnostics;

namespace MLPipeline.Training.Runs;

/// <summary>
/// A step that needs nothing the steps running meanwhile are making, run on a thread-pool thread beside them: a
/// single-threaded fit leaves the other cores idle. Its own wall time is kept for the run's timings. Disposing waits
/// for it to end, so a run that fails elsewhere never deletes its stored rows under a step still reading them.
/// </summary>
internal sealed class BesideStep<T> : IAsyncDisposable
{
    private readonly Task<T> _work;
    private TimeSpan _elapsed;

    public BesideStep(Func<T> work)
    {
        _work = Task.Run(() =>
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                return work();
            }
            finally
            {
                _elapsed = Stopwatch.GetElapsedTime(start);
            }
        });
    }

    /// <summary>The step's own wall time, once it has ended.</summary>
    public TimeSpan Elapsed => _elapsed;

    /// <summary>The step's result, or its exception.</summary>
    public Task<T> Result => _work;

    public async ValueTask DisposeAsync()
    {
        // An exception here was either already thrown by Result or comes from a run that failed for another reason.
        await Task.WhenAny(_work).ConfigureAwait(false);
        _ = _work.Exception;
    }
}
