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
    /// <summary>Sep's largest row (its buffer's limit), in characters.</summary>
    private const int SepMaxRowLength = 16 * 1024 * 1024;

    /// <param name="path">The file, named when its first row is too long to read (see <see cref="MoveNext"/>).</param>
    public static SepReader Open(TextReader text, DataSpec data, string path)
    {
        try
        {
            return Sep.New(data.SeparatorChar).Reader(o => o with
            {
                HasHeader = false,
                Unescape = data.AllowQuoting,
                DisableQuotesParsing = !data.AllowQuoting,
                DisableColCountCheck = true,
            }).From(text);
        }
        catch (NotSupportedException ex)
        {
            // Sep reads its first rows on opening.
            throw RowTooLong(path, 1, ex);
        }
    }

    /// <summary>
    /// The next row. Sep refuses a row longer than its largest buffer (an unclosed quote early in a big file, or a
    /// file that is no text, such as /dev/zero): bad data, named by the line the row starts on, just after the
    /// last row read.
    /// </summary>
    public static bool MoveNext(SepReader reader, string path)
    {
        try
        {
            return reader.MoveNext();
        }
        catch (NotSupportedException ex)
        {
            var current = reader.Current;
            throw RowTooLong(path, current.RowIndex < 0 ? 1 : current.LineNumberToExcl, ex);
        }
    }

    private static DataException RowTooLong(string path, long line, NotSupportedException ex) =>
        new($"{path}, line {line}: the row does not end within {SepMaxRowLength:N0} characters; is a closing quote missing, or is the file not a CSV?", ex);

    /// <summary>An empty line is no row at all (as before: blank lines between rows are skipped).</summary>
    public static bool IsBlank(SepReader.Row row) => row.ColCount == 1 && row[0].Span.Length == 0;

    /// <summary>
    /// The first line a row starts on (1-based). Sep counts the first row's lines from 2, so it is taken as line
    /// 1 when nothing precedes it.
    /// </summary>
    public static int LineOf(SepReader.Row row) => row.RowIndex == 0 ? 1 : row.LineNumberFrom;
}
