using System.Security.Cryptography;
using System.Text;
using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Rollout;

namespace MLPipeline.Serving.Rollout;

/// <summary>
/// How one replica routes a model's requests during a rollout, built from the record as last read: the weight, the
/// mode, the sticky header, the candidate's loaded slot and this step's figures. Immutable; the follower swaps in a
/// new one when the record changes.
/// </summary>
public sealed class RolloutRoute(RolloutRecord record, ModelSlot candidate, RolloutCollector collector, int weight)
{
    private const int Buckets = 10_000;
    private readonly int _threshold = weight * (Buckets / 100);

    public RolloutRecord Record { get; } = record;

    public ModelSlot Candidate { get; } = candidate;

    public RolloutCollector Collector { get; } = collector;

    /// <summary>Percent of requests the candidate answers (canary) or scores a copy of (shadow).</summary>
    public int Weight { get; } = weight;

    public bool IsShadow => Record.Mode == RolloutMode.Shadow;

    /// <summary>
    /// Whether this request goes to the candidate: by a stable hash of the sticky header's value (the same on every
    /// replica, and a key in the candidate stays there as the weight grows), else uniformly at random.
    /// </summary>
    public bool Picks(HttpRequest request)
    {
        if (_threshold <= 0)
        {
            return false;
        }

        if (_threshold >= Buckets)
        {
            return true;
        }

        return Record.StickyHeader is { } header && request.Headers.TryGetValue(header, out var values) && values.Count > 0 && !string.IsNullOrEmpty(values[0])
            ? Bucket(Record.Id, values[0]!) < _threshold
            : Random.Shared.Next(Buckets) < _threshold;
    }

    /// <summary>The key's bucket in 0..9999: SHA-256 of the rollout id and the key, so each rollout samples other keys.</summary>
    public static int Bucket(string rolloutId, string key)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{rolloutId}\n{key}"), hash);
        return (int)(BitConverter.ToUInt64(hash) % Buckets);
    }
}
