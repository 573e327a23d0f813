namespace MLPipeline.Shared.Manifest;

/// <summary>
/// The training data's distribution, the reference that live inputs are compared with (population stability index):
/// one profile per input column, from the training split, and one of the model's score on the test split (regression:
/// the score; binary: the probability; multiclass: the predicted class). Absent in manifests written before it.
/// </summary>
public sealed record TrainingProfile(long Rows, IReadOnlyDictionary<string, ColumnProfile> Columns, ColumnProfile? Score)
{
    /// <summary>Most categories a categorical column lists; the rest share the "other" bin.</summary>
    public const int MaxCategories = 20;
}

/// <summary>
/// One column's distribution as bins. Numeric: <see cref="Edges"/> are the inner bin edges (training deciles, duplicates
/// removed), bin <c>i</c> holds the values in (edges[i-1], edges[i]], the last bin the values above the last edge.
/// Categorical: one bin per listed category, then one for every other value. <see cref="Shares"/> are the bins' shares
/// of all rows and <see cref="MissingShare"/> the missing values' share: together they sum to 1.
/// </summary>
public sealed record ColumnProfile(IReadOnlyList<double>? Edges, IReadOnlyList<string>? Categories, IReadOnlyList<double> Shares, double MissingShare)
{
    public bool IsNumeric => Edges is not null;

    /// <summary>Bins including the missing bin (the last one).</summary>
    public int BinCount => Shares.Count + 1;

    public int MissingBin => Shares.Count;

    /// <summary>The bin of a number (NaN: the missing bin).</summary>
    public int BinOf(double value)
    {
        if (double.IsNaN(value))
        {
            return MissingBin;
        }

        var edges = Edges!;
        var low = 0;
        var high = edges.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (value <= edges[middle])
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }

    /// <summary>The bin of a category (null or empty: the missing bin; an unlisted value: the "other" bin).</summary>
    public int BinOf(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return MissingBin;
        }

        var categories = Categories!;
        for (var i = 0; i < categories.Count; i++)
        {
            if (string.Equals(categories[i], value, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return categories.Count;
    }

    /// <summary>The expected share of every bin, the missing bin last.</summary>
    public double[] ExpectedShares() => [.. Shares, MissingShare];
}
