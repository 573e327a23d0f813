namespace MLPipeline.Training.Data;

/// <summary>
/// What the profile learns about one CSV column while the rows stream: missing values, the first value that
/// is not a number, and (for a column read as text) its distinct values with their counts, up to a cap.
/// </summary>
internal sealed class ColumnStats
{
    public const int DistinctTrackingCap = 10_000;

    // Value -> its index in _values and _counts: one hash lookup per value counts it and finds its string.
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<string> _values = [];
    private readonly List<long> _counts = [];

    /// <summary>Distinct values with their counts, in order of first occurrence.</summary>
    public IReadOnlyDictionary<string, long> Distinct => _values.Select((v, i) => (v, i)).ToDictionary(x => x.v, x => _counts[x.i], StringComparer.Ordinal);

    public int DistinctCount => _values.Count;

    /// <summary>The distinct present values in ordinal order, or null when there are too many to list (or to track).</summary>
    public IReadOnlyList<string>? ListableValues() =>
        !DistinctOverflow && _values.Count <= Shared.Manifest.InputColumn.MaxListedCategories
            ? [.. _values.Order(StringComparer.Ordinal)]
            : null;

    public bool DistinctOverflow { get; private set; }

    public long Missing { get; private set; }

    public long NonMissing { get; private set; }

    public long? FirstMissingLine { get; private set; }

    public (long Line, string Value)? FirstNonNumeric { get; private set; }

    /// <summary>Counts an empty value; returns true when the value is missing.</summary>
    public bool CountMissing(ReadOnlySpan<char> value, long line)
    {
        if (value.Length == 0)
        {
            Missing++;
            FirstMissingLine ??= line;
            return true;
        }

        NonMissing++;
        return false;
    }

    /// <summary>A value counted as present that reads as NaN: a missing value after all.</summary>
    public void NotANumberIsMissing(long line)
    {
        NonMissing--;
        Missing++;
        FirstMissingLine ??= line;
    }

    /// <summary>The first number read (a regression label's), to tell a constant column from one that varies.</summary>
    public float? FirstNumber { get; private set; }

    public bool NumbersVary { get; private set; }

    public void CountNumber(float number)
    {
        FirstNumber ??= number;
        NumbersVary |= number != FirstNumber;
    }

    /// <summary>A present value that is not a number (the first one is kept for the error message and the inference).</summary>
    public void NotANumber(ReadOnlySpan<char> value, long line) => FirstNonNumeric ??= (line, value.ToString());

    /// <summary>
    /// Counts a present text value and returns the one string kept for it, so rows that repeat a category
    /// allocate nothing; past the cap it returns a new string and stops counting.
    /// </summary>
    public string Track(ReadOnlySpan<char> value)
    {
        if (DistinctOverflow)
        {
            return value.ToString();
        }

        if (_index.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(value, out var known, out var index))
        {
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_counts)[index]++;
            return known;
        }

        if (_values.Count >= DistinctTrackingCap)
        {
            DistinctOverflow = true;
            return value.ToString();
        }

        var text = value.ToString();
        _index[text] = _values.Count;
        _values.Add(text);
        _counts.Add(1);
        return text;
    }
}
