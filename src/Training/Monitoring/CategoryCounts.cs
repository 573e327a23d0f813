using MLPipeline.Shared.Manifest;

namespace MLPipeline.Training.Monitoring;

/// <summary>A categorical column's exact value counts; the profile lists the most frequent ones and an "other" share.</summary>
internal sealed class CategoryCounts
{
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private long _missing;
    private long _total;

    public void Add(ReadOnlySpan<char> value)
    {
        _total++;
        if (value.IsEmpty)
        {
            _missing++;
            return;
        }

        var lookup = _counts.GetAlternateLookup<ReadOnlySpan<char>>();
        lookup[value] = lookup.TryGetValue(value, out var count) ? count + 1 : 1;
    }

    public void Add(string value) => Add(value.AsSpan());

    public ColumnProfile Profile()
    {
        var total = Math.Max(_total, 1);
        var top = _counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(TrainingProfile.MaxCategories).ToList();
        var other = _counts.Values.Sum() - top.Sum(c => c.Value);
        return new ColumnProfile(
            null,
            [.. top.Select(c => c.Key)],
            [.. top.Select(c => (double)c.Value / total), (double)other / total],
            _total == 0 ? 1 : (double)_missing / total);
    }
}
