using Microsoft.Extensions.Primitives;
using MLPipeline.Serving.Loading;
using MLPipeline.Serving.Pool;

namespace MLPipeline.Serving.Reload;

/// <summary>
/// One model's reload loop: wait (poll interval with jitter, or backoff after failures, or until the source signals),
/// check the source, and when it holds another version let the pool fetch, verify, warm up and swap it. Every failure
/// is recorded on the slot by the pool and leaves the served generation in place.
/// </summary>
internal sealed class ModelWatch : IDisposable
{
    private readonly PredictionEnginePool _pool;
    private readonly IModelSourceWatcher _watcher;
    private readonly ReloadOptions _options;
    private readonly SemaphoreSlim _checking = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private int _failures;

    public ModelWatch(PredictionEnginePool pool, ModelSlot slot, IModelSourceWatcher watcher, ReloadOptions options)
    {
        _pool = pool;
        Slot = slot;
        _watcher = watcher;
        _options = options;
        Loop = Task.Run(RunAsync);
    }

    public ModelSlot Slot { get; }

    public Task Loop { get; }

    /// <summary>Checks the source now (the reload route); <paramref name="force"/> loads even an unchanged source.</summary>
    /// <exception cref="ModelSourceException">The check or the load failed; the served version stays.</exception>
    public async Task CheckAsync(bool force, bool acceptSchemaChange, CancellationToken cancellationToken)
    {
        await _checking.WaitAsync(cancellationToken);
        try
        {
            if (Slot.Current is not { } served)
            {
                await _pool.EnsureLoadedAsync(Slot, cancellationToken);
            }
            else if (force || await HasChangedAsync(served, cancellationToken))
            {
                await _pool.LoadAsync(Slot, acceptSchemaChange, cancellationToken);
            }
            else
            {
                PredictionEnginePool.RecordUnchanged(Slot);
            }

            _failures = 0;
        }
        catch (ModelSourceException)
        {
            _failures++;
            throw;
        }
        finally
        {
            _checking.Release();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _watcher.Dispose();
    }

    private async Task<bool> HasChangedAsync(ModelGeneration served, CancellationToken cancellationToken)
    {
        try
        {
            return await _watcher.HasChangedAsync(served, cancellationToken);
        }
        catch (ModelSourceException ex)
        {
            _pool.RecordFailure(Slot, ex.Message);
            throw;
        }
    }

    private async Task RunAsync()
    {
        var stop = _stop.Token;
        var signal = _watcher.Watch();

        // The first check runs at once: it loads a model added at run time, and it sees a version that landed between
        // the model's first load and this watch's start, when no watcher was there to report it.
        var delay = TimeSpan.Zero;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await WaitAsync(delay, signal, stop);

                // Taken before the check, so a change that lands during the check still wakes the next wait.
                signal = _watcher.Watch();
                await CheckAsync(force: false, acceptSchemaChange: false, stop);
            }
            catch (ModelSourceException)
            {
                // Recorded on the slot (status, last error, metric, one log line per distinct error); retried after a backoff.
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }

            delay = NextDelay();
        }
    }

    /// <summary>The poll interval plus up to a fifth of jitter (replicas spread out), or the doubling backoff after failures.</summary>
    private TimeSpan NextDelay()
    {
        if (_failures == 0)
        {
            return _watcher.PollInterval * (1 + (Random.Shared.NextDouble() * 0.2));
        }

        var backoff = _options.PollInterval * Math.Pow(2, Math.Min(_failures - 1, 20));
        return backoff < _options.MaxBackoff ? backoff : _options.MaxBackoff;
    }

    private static async Task WaitAsync(TimeSpan delay, IChangeToken signal, CancellationToken stop)
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stop);
        using (signal.RegisterChangeCallback(static state => ((CancellationTokenSource)state!).Cancel(), wake))
        {
            try
            {
                await Task.Delay(delay, wake.Token);
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                // The source signalled a change: check now.
            }
        }
    }
}
