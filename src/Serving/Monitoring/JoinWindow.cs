using MLPipeline.Shared.Monitoring;
namespace MLPipeline.Serving.Monitoring;

/// <summary>
/// Recent predictions of one version by id, waiting for their ground truth: at most <c>capacity</c> of them and none
/// older than <c>maxAge</c> (the oldest leave first). A prediction joins once; its id is then forgotten. The arrival
/// order keeps an entry per prediction added; entries of predictions already joined are dropped as they reach the front
/// and, when they pile up behind one still waiting, all at once, so memory follows <c>capacity</c> whatever the order of
/// the feedback.
/// </summary>
public sealed class JoinWindow(int capacity, TimeSpan maxAge)
{
    private readonly Dictionary<string, (PredictedValue Value, long Sequence)> _byId = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private Queue<(string Id, DateTimeOffset Time, long Sequence)> _order = new();
    private long _sequence;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byId.Count;
            }
        }
    }

    /// <summary>Entries in the arrival order, live or already joined (at most about twice the capacity).</summary>
    internal int Tracked
    {
        get
        {
            lock (_lock)
            {
                return _order.Count;
            }
        }
    }

    public void Add(string id, PredictedValue value, DateTimeOffset time)
    {
        lock (_lock)
        {
            ExpireLocked(time);
            if (_byId.TryGetValue(id, out var waiting))
            {
                // A client that sends the same X-Request-Id again: the newest prediction is the one it will give feedback on.
                _byId[id] = (value, waiting.Sequence);
            }
            else
            {
                var sequence = ++_sequence;
                _byId[id] = (value, sequence);
                _order.Enqueue((id, time, sequence));
            }

            while (_byId.Count > capacity && _order.TryDequeue(out var oldest))
            {
                if (IsLive(oldest))
                {
                    _byId.Remove(oldest.Id);
                }
            }

            Compact();
        }
    }

    /// <summary>Takes the prediction with this id out of the window, or null when it is unknown or has expired.</summary>
    public PredictedValue? Take(string id, DateTimeOffset now)
    {
        lock (_lock)
        {
            ExpireLocked(now);
            if (!_byId.Remove(id, out var taken))
            {
                return null;
            }

            Compact();
            return taken.Value;
        }
    }

    /// <summary>Drops the predictions older than the window's age (a version that no longer serves gets no other call that would).</summary>
    public void Expire(DateTimeOffset now)
    {
        lock (_lock)
        {
            ExpireLocked(now);
        }
    }

    private void ExpireLocked(DateTimeOffset now)
    {
        while (_order.TryPeek(out var oldest) && (now - oldest.Time > maxAge || !IsLive(oldest)))
        {
            _order.Dequeue();
            if (IsLive(oldest))
            {
                _byId.Remove(oldest.Id);
            }
        }
    }

    /// <summary>Whether an entry of the arrival order is the prediction its id names now (not joined, not replaced by a later one).</summary>
    private bool IsLive((string Id, DateTimeOffset Time, long Sequence) entry) =>
        _byId.TryGetValue(entry.Id, out var current) && current.Sequence == entry.Sequence;

    /// <summary>Rebuilds the arrival order without the entries of joined predictions once they outnumber the live ones.</summary>
    private void Compact()
    {
        if (_order.Count > (2 * capacity) + 16)
        {
            _order = new Queue<(string, DateTimeOffset, long)>(_order.Where(IsLive));
        }
    }
}
