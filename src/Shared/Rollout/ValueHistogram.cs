namespace MLPipeline.Shared.Rollout;

/// <summary>
/// A histogram whose bins have a fixed relative width (2%), the same on every replica, so histograms written by many
/// replicas add up bin by bin and their quantiles stay within about 1% of the true value. Negative values mirror the
/// positive bins; values closer to zero than <see cref="Smallest"/> share bin 0. Not thread-safe: callers lock.
/// </summary>
public sealed class ValueHistogram
{
    private const double Gamma = 1.02;
    private const double Smallest = 1e-9;
    private static readonly double LogGamma = Math.Log(Gamma);

    /// <summary>Bin index (signed; ordered like the values) to count.</summary>
    public Dictionary<int, long> Bins { get; set; } = [];

    public long Count { get; set; }

    public double Sum { get; set; }

    public double Mean => Count == 0 ? double.NaN : Sum / Count;

    public void Add(double value)
    {
        if (!double.IsFinite(value))
        {
            return;
        }

        var bin = BinOf(value);
        Bins[bin] = Bins.GetValueOrDefault(bin) + 1;
        Count++;
        Sum += value;
    }

    public void Merge(ValueHistogram other)
    {
        foreach (var (bin, count) in other.Bins)
        {
            Bins[bin] = Bins.GetValueOrDefault(bin) + count;
        }

        Count += other.Count;
        Sum += other.Sum;
    }

    public ValueHistogram Copy()
    {
        var copy = new ValueHistogram();
        copy.Merge(this);
        return copy;
    }

    /// <summary>The value at quantile <paramref name="q"/> (0..1), NaN when empty.</summary>
    public double Quantile(double q)
    {
        if (Count == 0)
        {
            return double.NaN;
        }

        var rank = (long)Math.Floor(Math.Clamp(q, 0, 1) * (Count - 1));
        long seen = 0;
        foreach (var bin in Bins.Keys.Order())
        {
            seen += Bins[bin];
            if (seen > rank)
            {
                return ValueOf(bin);
            }
        }

        return ValueOf(Bins.Keys.Max());
    }

    /// <summary>
    /// The Kolmogorov-Smirnov distance of two distributions: the largest gap between their cumulative shares, read at
    /// the bins' edges (both histograms share one grid). 0 for the same distribution, 1 for disjoint ones.
    /// </summary>
    public static double Distance(ValueHistogram a, ValueHistogram b)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            return double.NaN;
        }

        double seenA = 0, seenB = 0, distance = 0;
        foreach (var bin in a.Bins.Keys.Union(b.Bins.Keys).Order())
        {
            seenA += a.Bins.GetValueOrDefault(bin);
            seenB += b.Bins.GetValueOrDefault(bin);
            distance = Math.Max(distance, Math.Abs((seenA / a.Count) - (seenB / b.Count)));
        }

        return distance;
    }

    private static int BinOf(double value)
    {
        var magnitude = Math.Abs(value);
        if (magnitude < Smallest)
        {
            return 0;
        }

        var bin = (int)Math.Ceiling(Math.Log(magnitude / Smallest) / LogGamma) + 1;
        return value < 0 ? -bin : bin;
    }

    /// <summary>The geometric middle of a bin: within 1% of every value in it.</summary>
    private static double ValueOf(int bin)
    {
        if (bin == 0)
        {
            return 0;
        }

        var magnitude = Smallest * Math.Pow(Gamma, Math.Abs(bin) - 1.5);
        return bin < 0 ? -magnitude : magnitude;
    }
}
