using MLPipeline.Shared.Monitoring;
namespace MLPipeline.Serving.Monitoring;

/// <summary>
/// Recent predictions of one version by id, waiting for their ground truth: at most <c>capacity</c> of them and none
/// older than <c>maxAge</c> (the oldest leave first). A prediction joins once; its id is then forgotten.
/// </summary>
public sealed class JoinWindow(int capacity, TimeSpan maxAge)
{
    private readonly Dictionary<string, PredictedValue> _byId = new(StringComparer.Ordinal);
    private readonly Queue<(string Id, DateTimeOffset Time)> _order = new();
    private readonly Lock _lock = new();

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

    public void Add(string id, PredictedValue value, DateTimeOffset time)
    {
        lock (_lock)
        {
            Expire(time);
            if (_byId.TryAdd(id, value))
            {
                _order.Enqueue((id, time));
            }
            else
            {
                // A client that sends the same X-Request-Id again: the newest prediction is the one it will give feedback on.
                _byId[id] = value;
            }

            while (_byId.Count > capacity && _order.TryDequeue(out var oldest))
            {
                _byId.Remove(oldest.Id);
            }
        }
    }

    /// <summary>Takes the prediction with this id out of the window, or null when it is unknown or has expired.</summary>
    public PredictedValue? Take(string id, DateTimeOffset now)
    {
        lock (_lock)
        {
            Expire(now);
            return _byId.Remove(id, out var value) ? value : null;
        }
    }

    private void Expire(DateTimeOffset now)
    {
        while (_order.TryPeek(out var oldest) && (now - oldest.Time > maxAge || !_byId.ContainsKey(oldest.Id)))
        {
            _order.Dequeue();
            if (now - oldest.Time > maxAge)
            {
                _byId.Remove(oldest.Id);
            }
        }
    }
}
