using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Sources;

namespace MLPipeline.Serving.Lifecycle;

/// <summary>
/// One model's whole life in one loop: the first load, every reload, the backoff after failures and the status. Wait
/// (the source's poll interval with jitter, the backoff, or until the source signals), check the source, and when it
/// holds another version let the pool fetch, verify, warm up and swap it. Nothing a source throws ends the loop or
/// reaches the host: every failure is recorded on the slot (status, last error, metric) and tried again later.
/// </summary>
internal sealed class ModelLifecycle : IDisposable
{
    /// <summary>First retry of a model that has never loaded; it doubles up to <see cref="ReloadOptions.MaxBackoff"/>.</summary>
    private static readonly TimeSpan FirstLoadRetry = TimeSpan.FromSeconds(1);

    private readonly PredictionEnginePool _pool;
    private readonly ReloadOptions _options;
    private readonly SemaphoreSlim _checking = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private int _failures;
    private bool _watchFailed;

    public ModelLifecycle(PredictionEnginePool pool, ModelSlot slot, ReloadOptions options)
    {
        _pool = pool;
        Slot = slot;
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
        Slot.Source.Dispose();
    }

    private async Task<bool> HasChangedAsync(ModelGeneration served, CancellationToken cancellationToken)
    {
        try
        {
            return await Slot.Source.HasChangedAsync(served, cancellationToken);
        }
        catch (ModelSourceException ex)
        {
            _pool.RecordFailure(Slot, ex);
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            var failure = new ModelSourceException($"{Slot.Source.Location}: checking for a new version failed unexpectedly ({ex.GetType().Name}); see the service log.", ex);
            _pool.RecordFailure(Slot, failure);
            throw failure;
        }
    }

    private async Task RunAsync()
    {
        var stop = _stop.Token;
        var signal = Signal();

        // The first check runs at once: it is the first load, and for a model added while serving it also sees a
        // version that landed between that load and this loop's start, when nothing watched the source.
        var delay = TimeSpan.Zero;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await WaitAsync(delay, signal, stop);

                // Taken before the check, so a change that lands during the check still wakes the next wait.
                signal = Signal();
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

    /// <summary>The source's change signal; a source that cannot watch (inotify limit, say) is polled only, and says so once.</summary>
    private IChangeToken Signal()
    {
        if (!_options.Enabled || _watchFailed)
        {
            return NullChangeToken.Singleton;
        }

        try
        {
            return Slot.Source.Watch();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _watchFailed = true;
            _pool.RecordFailure(Slot, new ModelSourceException($"{Slot.Source.Location}: change events cannot be watched ({ex.GetType().Name}); the source is polled every {Slot.Source.PollInterval} instead.", ex));
            return NullChangeToken.Singleton;
        }
    }

    /// <summary>The poll interval plus up to a fifth of jitter (replicas spread out), or the doubling backoff after failures.</summary>
    private TimeSpan NextDelay()
    {
        if (_failures > 0)
        {
            var first = Slot.Current is null ? FirstLoadRetry : _options.PollInterval;
            var backoff = first * Math.Pow(2, Math.Min(_failures - 1, 20));
            return backoff < _options.MaxBackoff ? backoff : _options.MaxBackoff;
        }

        var poll = Slot.Source.PollInterval;
        return !_options.Enabled || poll == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : poll * (1 + (Random.Shared.NextDouble() * 0.2));
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
