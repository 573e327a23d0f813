namespace MLPipeline.Training.Data;

/// <summary>
/// The line of the first byte sequence that is not UTF-8, in text that arrives chunk by chunk. The decoder puts
/// <see cref="Marker"/> where such bytes were (a file saved as Windows-1252 or Latin-1): read on, "café" would train
/// as a category no client ever sends. A U+FFFD in the file itself is text like any other (data mangled before it came
/// here is still valid UTF-8). Lines end at \n, \r\n or a lone \r, as the CSV reader counts them. Written by the
/// reading thread before it hands the chunk on, read by the parsing one.
/// </summary>
internal sealed class InvalidUtf8Line
{
    /// <summary>The decoder's stand-in for invalid bytes: a noncharacter, which text never holds.</summary>
    public const char Marker = '\uFFFF';

    private long _lineBreaks;
    private bool _endedInCarriageReturn;
    private long _line;

    /// <summary>The 1-based line of the first invalid bytes read so far; 0 while there are none.</summary>
    public long Line => Volatile.Read(ref _line);

    /// <summary>The data error for invalid bytes at <paramref name="line"/>, in <paramref name="column"/> when known.</summary>
    public static string Message(string path, long line, string? column) =>
        $"{path}, line {line}{(column is null ? "" : $", column '{column}'")}: holds bytes that are not UTF-8; is the file in "
        + "another encoding (Windows-1252, Latin-1)? Save it as UTF-8 (Excel: \"CSV UTF-8\").";

    public void Scan(ReadOnlySpan<char> text)
    {
        if (_line > 0 || text.IsEmpty)
        {
            return;
        }

        var at = text.IndexOf(Marker);
        _lineBreaks += LineBreaks(at < 0 ? text : text[..at]);
        if (at >= 0)
        {
            Volatile.Write(ref _line, _lineBreaks + 1);
        }
    }

    private long LineBreaks(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return 0;
        }

        long count = text.Count('\n') + text.Count('\r') - text.Count("\r\n");
        if (_endedInCarriageReturn && text[0] == '\n')
        {
            count--;
        }

        _endedInCarriageReturn = text[^1] == '\r';
        return count;
    }
}
