using MLPipeline.Serving.Rollout;
using MLPipeline.Serving.Sources;

namespace MLPipeline.Serving.Pool;

/// <summary>
/// One served model name: where it loads from, the generation it serves now, and what happened on the last load.
/// Readers take the current generation without a lock; a swap is one atomic exchange.
/// </summary>
public sealed class ModelSlot(string name, IModelSource source, bool required)
{
    private ModelGeneration? _current;
    private RolloutRoute? _rollout;

    public string Name { get; } = name;

    public IModelSource Source { get; } = source;

    /// <summary>Counts for readiness (configured models); versions loaded on demand do not.</summary>
    public bool Required { get; } = required;

    public ModelGeneration? Current => Volatile.Read(ref _current);

    /// <summary>How requests are split while the model is in a rollout; null (the usual case) when it is not.</summary>
    public RolloutRoute? Rollout
    {
        get => Volatile.Read(ref _rollout);
        internal set => Volatile.Write(ref _rollout, value);
    }

    /// <summary>When a request last used this slot (on-demand versions are evicted least recently used first).</summary>
    internal long LastUsedTicks { get; set; }

    public ModelSlotStatus Status { get; internal set; } = ModelSlotStatus.Loading;

    public string? LastError { get; internal set; }

    public DateTimeOffset? LastAttemptUtc { get; internal set; }

    public int Loads { get; internal set; }

    public int LoadFailures { get; internal set; }

    /// <summary>Serializes loads of this slot; requests never wait on it.</summary>
    internal SemaphoreSlim LoadLock { get; } = new(1, 1);

    /// <summary>Takes a reference on the generation served now, or returns null when none is loaded.</summary>
    internal ModelGeneration? Acquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _current);
            if (current is null || current.TryAcquire())
            {
                return current;
            }

            // The generation drained between the read and the acquire: a newer one is already in place.
        }
    }

    /// <summary>Serves <paramref name="next"/> from now on; the previous generation is disposed once its engines are back.</summary>
    internal ModelGeneration? Swap(ModelGeneration next)
    {
        var previous = Interlocked.Exchange(ref _current, next);
        previous?.Release();
        return previous;
    }

    /// <summary>Stops serving; the generation is disposed once its engines are back.</summary>
    internal void Unload() => Interlocked.Exchange(ref _current, null)?.Release();
}

public enum ModelSlotStatus
{
    Loading,
    Ready,

    /// <summary>Serving a version, but the last reload or source check failed (see the last error); retried with backoff.</summary>
    Degraded,
    Failed,
}
