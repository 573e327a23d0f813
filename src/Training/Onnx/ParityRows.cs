namespace MLPipeline.Training.Onnx;

/// <summary>
/// The rows every export is checked on: the given rows (the test split, or a manifest's sample row) followed
/// by rows ML.NET and ONNX must also agree on: every value missing (NaN, ""), and unseen categories.
/// </summary>
internal static class ParityRows
{
    public const string UnseenCategory = "\u00abunseen category\u00bb";

    public static RawRows WithEdgeCases(RawRows rows)
    {
        var first = rows.Count > 0 ? rows.Slice(0, 1) : null;
        var allMissing = RawRows.FromStrings(rows.Columns, [new Dictionary<string, string?>()]);
        var unseen = RawRows.FromStrings(rows.Columns, [rows.Columns.ToDictionary(
            c => c.Name,
            c => c.IsNumeric
                ? first?.Numeric(c.Name)[0].ToString("R", System.Globalization.CultureInfo.InvariantCulture)
                : UnseenCategory)]);
        return rows.Append(allMissing).Append(unseen);
    }
}
