using MLPipeline.Training.Specs;
using nietras.SeparatedValues;

namespace MLPipeline.Training.Data;

/// <summary>
/// How the console reads a CSV (RFC 4180, through Sep): the spec's separator, double-quoted fields that may
/// hold the separator, doubled quotes and line breaks, CRLF or LF line ends, and a UTF-8 byte order mark
/// (dropped by the <see cref="StreamReader"/>). Every row is returned with its field count unchecked, so a
/// ragged row becomes a data error that names its line instead of Sep's own exception.
/// </summary>
public static class CsvFormat
{
    public static SepReader Open(TextReader text, DataSpec data) =>
        Sep.New(data.SeparatorChar).Reader(o => o with
        {
            HasHeader = false,
            Unescape = data.AllowQuoting,
            DisableQuotesParsing = !data.AllowQuoting,
            DisableColCountCheck = true,
        }).From(text);

    /// <summary>An empty line is no row at all (as before: blank lines between rows are skipped).</summary>
    public static bool IsBlank(SepReader.Row row) => row.ColCount == 1 && row[0].Span.Length == 0;

    /// <summary>
    /// The first line a row starts on (1-based). Sep counts the first row's lines from 2, so it is taken as line
    /// 1 when nothing precedes it.
    /// </summary>
    public static int LineOf(SepReader.Row row) => row.RowIndex == 0 ? 1 : row.LineNumberFrom;
}
