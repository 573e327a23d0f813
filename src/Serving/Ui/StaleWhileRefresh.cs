namespace MLPipeline.Serving.Ui;

/// <summary>
/// A value read from slow storage, kept and handed out at once; once older than its freshness it is read again in the
/// background while callers keep getting the last value. Only the first read, and the first after an
/// <see cref="Invalidate"/>, is waited for. A failed refresh keeps the last value (and says why), so a store outage
/// does not take the pages down with it.
/// </summary>
public sealed class StaleWhileRefresh<T>(Func<CancellationToken, Task<T>> read, TimeSpan freshFor, TimeProvider time)
    where T : class
{
    private readonly Lock _gate = new();
    private Snapshot? _last;
    private DateTimeOffset _checkedUtc;
    private Task<Snapshot>? _inFlight;

    // Bumped by Invalidate: a read that started before it cannot satisfy callers who must see the change.
    private int _generation;
    private int _lastGeneration = -1;

    /// <summary>A value and when it was read; <see cref="RefreshError"/> is set when a later read failed.</summary>
    public sealed record Snapshot(T Value, DateTimeOffset ReadUtc, string? RefreshError = null);

    public async Task<Snapshot> GetAsync()
    {
        Task<Snapshot> reading;
        lock (_gate)
        {
            var current = _lastGeneration == _generation;
            if (_last is { } last && current && time.GetUtcNow() - _checkedUtc < freshFor)
            {
                return last;
            }

            reading = _inFlight ??= ReadAsync(_generation);
            if (_last is { } stale && current)
            {
                return stale;
            }
        }

        var snapshot = await reading;
        lock (_gate)
        {
            // Started before an invalidation: read once more, waited for.
            if (_lastGeneration != _generation)
            {
                reading = _inFlight ??= ReadAsync(_generation);
            }
            else
            {
                return snapshot;
            }
        }

        return await reading;
    }

    /// <summary>The next callers wait for a new read (after a change made here, such as an alias move).</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            _generation++;
            _inFlight = null;
        }
    }

    private async Task<Snapshot> ReadAsync(int generation)
    {
        // Never on the caller's token: a page closed early must not cancel the read others wait for.
        await Task.Yield();
        try
        {
            var value = await read(CancellationToken.None);
            lock (_gate)
            {
                var snapshot = new Snapshot(value, time.GetUtcNow());
                if (generation >= _lastGeneration)
                {
                    _checkedUtc = snapshot.ReadUtc;
                    _last = snapshot;
                    _lastGeneration = generation;
                }

                ClearInFlight(generation);
                return snapshot;
            }
        }
        catch (Exception ex)
        {
            lock (_gate)
            {
                ClearInFlight(generation);
                if (_last is { } last)
                {
                    // Keep the last value; try again after another freshness period rather than on every page.
                    _checkedUtc = time.GetUtcNow();
                    _lastGeneration = _generation;
                    _last = last with { RefreshError = ex.Message };
                    return _last;
                }
            }

            throw;
        }
    }

    private void ClearInFlight(int generation)
    {
        if (generation == _generation)
        {
            _inFlight = null;
        }
    }
}
