using MLPipeline.Serving.Sources;

namespace MLPipeline.Serving.Pool;

/// <summary>
/// Versions loaded on demand by the version and alias routes: at most <c>maxCount</c> of them and about
/// <c>maxBytes</c> of model (estimated by each model.zip's size). When a new version needs room, the least recently
/// used idle version (no engine rented) is unloaded; a version still loading or in use is never evicted. Every
/// decision is taken under one lock, so the limits hold however many requests race.
/// </summary>
public sealed class OnDemandVersions(int maxCount, long maxBytes)
{
    private readonly Dictionary<string, ModelSlot> _slots = new(StringComparer.Ordinal);
    private readonly HashSet<ModelSlot> _pinned = [];
    private readonly Lock _gate = new();

    /// <summary>The versions loaded on demand now, keyed <c>name:version</c>.</summary>
    public IReadOnlyList<ModelSlot> Slots
    {
        get
        {
            lock (_gate)
            {
                return [.. _slots.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>The version's slot when it is loaded, marked as used now; no store is asked.</summary>
    public ModelSlot? TryGetLoaded(string key)
    {
        lock (_gate)
        {
            if (_slots.TryGetValue(key, out var slot) && slot.Current is not null)
            {
                slot.LastUsedTicks = Environment.TickCount64;
                return slot;
            }

            return null;
        }
    }

    /// <summary>The slot for <paramref name="key"/>, made (and room made for it) on first use, marked as used now.</summary>
    /// <exception cref="OnDemandCapacityException">Every place is held by a version that is loading or in use.</exception>
    public ModelSlot GetOrAdd(string key, Func<IModelSource> createSource)
    {
        lock (_gate)
        {
            if (!_slots.TryGetValue(key, out var slot))
            {
                while (_slots.Count >= maxCount)
                {
                    if (!EvictOne(except: null))
                    {
                        throw new OnDemandCapacityException(
                            $"All {maxCount} places for versions loaded on demand (Serving:Limits:MaxOnDemandVersions) are in use; '{key}' is not loaded. Try again shortly.");
                    }
                }

                slot = new ModelSlot(key, createSource(), required: false);
                _slots.Add(key, slot);
            }

            slot.LastUsedTicks = Environment.TickCount64;
            return slot;
        }
    }

    /// <summary>After <paramref name="loaded"/> came in: unloads idle versions until the estimated memory fits again.</summary>
    public void Trim(ModelSlot loaded)
    {
        lock (_gate)
        {
            while (Bytes() > maxBytes && EvictOne(except: loaded))
            {
            }
        }
    }

    /// <summary>Keeps a version loaded whatever the limits say (a rollout's candidate) until <see cref="Unpin"/>.</summary>
    public void Pin(ModelSlot slot)
    {
        lock (_gate)
        {
            _pinned.Add(slot);
        }
    }

    public void Unpin(ModelSlot slot)
    {
        lock (_gate)
        {
            _pinned.Remove(slot);
        }
    }

    /// <summary>A version that failed to load gives its place back.</summary>
    public void Remove(ModelSlot slot)
    {
        lock (_gate)
        {
            if (_slots.TryGetValue(slot.Name, out var held) && ReferenceEquals(held, slot))
            {
                _slots.Remove(slot.Name);
                _pinned.Remove(slot);
                slot.Unload();
                slot.Source.Dispose();
            }
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            foreach (var slot in _slots.Values)
            {
                slot.Unload();
                slot.Source.Dispose();
            }

            _slots.Clear();
            _pinned.Clear();
        }
    }

    private long Bytes() => _slots.Values.Sum(s => s.Current?.Origin.Size ?? 0);

    /// <summary>Unloads the least recently used idle version; false when there is none.</summary>
    private bool EvictOne(ModelSlot? except)
    {
        var victim = _slots.Values
            .Where(s => !ReferenceEquals(s, except) && !_pinned.Contains(s) && s.Current is { IsIdle: true })
            .OrderBy(s => s.LastUsedTicks)
            .FirstOrDefault();
        if (victim is null)
        {
            return false;
        }

        _slots.Remove(victim.Name);
        victim.Unload();
        victim.Source.Dispose();
        return true;
    }
}
