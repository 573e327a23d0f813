using MLPipeline.Shared.Manifest;

namespace MLPipeline.Training.Monitoring;

/// <summary>A numeric column's missing count and a uniform reservoir sample of its present values (Vitter's algorithm R).</summary>
/// <param name="expectedValues">How many values will come, at most: the list is sized once, with no copies as it grows.</param>
internal sealed class NumericSample(int capacity, long expectedValues = 0)
{
    // Floats, as the rows hold them: half the memory of doubles for the same edges.
    private readonly List<float> _values = new((int)Math.Clamp(expectedValues, 0, capacity));
    private long _present;
    private long _missing;

    public void Add(float value, Random random)
    {
        if (float.IsNaN(value))
        {
            _missing++;
            return;
        }

        _present++;
        if (_values.Count < capacity)
        {
            _values.Add(value);
        }
        else if (random.NextInt64(_present) is var slot && slot < capacity)
        {
            _values[(int)slot] = value;
        }
    }

    /// <summary>Decile edges (duplicates removed), each bin's share of all rows from the sample, and the missing share.</summary>
    public ColumnProfile Profile()
    {
        var total = _present + _missing;
        if (_values.Count == 0)
        {
            return new ColumnProfile([], null, [0], 1);
        }

        _values.Sort();
        var edges = new List<double>();
        for (var decile = 1; decile < 10; decile++)
        {
            var edge = _values[(int)Math.Ceiling(decile * _values.Count / 10.0) - 1];
            if (edges.Count == 0 || edge > edges[^1])
            {
                edges.Add(edge);
            }
        }

        // The largest value would leave the last bin empty; values above the last edge go there.
        if (edges.Count > 0 && edges[^1] >= _values[^1])
        {
            edges.RemoveAt(edges.Count - 1);
        }

        var profile = new ColumnProfile(edges, null, new double[edges.Count + 1], 0);
        var counts = new long[edges.Count + 1];
        foreach (var value in _values)
        {
            counts[profile.BinOf(value)]++;
        }

        var presentShare = (double)_present / total;
        var shares = counts.Select(c => presentShare * c / _values.Count).ToArray();
        return profile with { Shares = shares, MissingShare = (double)_missing / total };
    }
}
