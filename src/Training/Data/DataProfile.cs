namespace MLPipeline.Training.Data;

/// <summary>What one streaming pass over the CSV learned: columns, roles, row count, label classes, hash.</summary>
public sealed record DataProfile
{
    public required string Path { get; init; }
    public required IReadOnlyList<string> Header { get; init; }
    public required IReadOnlyList<ColumnPlan> Features { get; init; }
    public required int LabelIndex { get; init; }
    public required long Rows { get; init; }
    public required string Sha256 { get; init; }

    /// <summary>Distinct label values, ordinal order (classification only).</summary>
    public required IReadOnlyList<string> LabelClasses { get; init; }

    /// <summary>Rows per label value: the class balance (classification only).</summary>
    public required IReadOnlyDictionary<string, long> LabelCounts { get; init; }

    public required IReadOnlyDictionary<string, long> MissingByColumn { get; init; }

    public required IReadOnlyDictionary<string, string?> SampleRow { get; init; }

    /// <summary>
    /// The present values of each categorical feature, ordinal order, for the columns with at most
    /// <see cref="Shared.Manifest.InputColumn.MaxListedCategories"/> of them (the others are not listed).
    /// </summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> Categories { get; init; }
}
