using System.Globalization;

namespace MLPipeline.Shared.Store;

/// <summary>
/// Monitoring record files (prediction logs, ground-truth feedback) live beside a model's versions, one JSON Lines file
/// per batch: <c>&lt;name&gt;/logs/&lt;version&gt;/&lt;yyyy&gt;/&lt;MM&gt;/&lt;dd&gt;/&lt;HH&gt;/&lt;replica&gt;-&lt;seq&gt;.jsonl</c> and
/// <c>&lt;name&gt;/feedback/&lt;yyyy&gt;/&lt;MM&gt;/&lt;dd&gt;/&lt;HH&gt;/&lt;replica&gt;-&lt;seq&gt;.jsonl</c>. A path is relative to the model's
/// folder; every segment is a safe store name, so no path can leave it on either backend.
/// </summary>
public static class RecordPaths
{
    public const string Logs = "logs";
    public const string Feedback = "feedback";
    public const string Extension = ".jsonl";

    /// <summary>The file of one batch of logged predictions of a version, in the hour <paramref name="hour"/> (UTC).</summary>
    public static string LogFile(string version, DateTimeOffset hour, string replica, long sequence) =>
        $"{Logs}/{StoreNames.Check(version, "version")}/{Hour(hour)}/{FileName(replica, sequence)}";

    /// <summary>The file of one batch of feedback, in the hour <paramref name="hour"/> (UTC).</summary>
    public static string FeedbackFile(DateTimeOffset hour, string replica, long sequence) =>
        $"{Feedback}/{Hour(hour)}/{FileName(replica, sequence)}";

    /// <summary>Checks a record path: <c>logs/...</c> or <c>feedback/...</c>, safe segments, a <c>.jsonl</c> file.</summary>
    /// <exception cref="ArgumentException">The path breaks the layout.</exception>
    public static string Check(string path)
    {
        var segments = path.Split('/');
        if (segments.Length < 2 || segments[0] is not (Logs or Feedback) || !path.EndsWith(Extension, StringComparison.Ordinal)
            || !segments.All(StoreNames.IsValid))
        {
            throw new ArgumentException(
                $"Invalid record path '{path}': logs/... or feedback/... ending in {Extension}, each segment letters, digits, '.', '_' or '-'.", nameof(path));
        }

        return path;
    }

    /// <summary>Checks a folder to list: <c>logs</c>, <c>feedback</c>, or a path under one of them.</summary>
    public static string CheckFolder(string folder)
    {
        var segments = folder.Split('/');
        if (segments[0] is not (Logs or Feedback) || !segments.All(StoreNames.IsValid))
        {
            throw new ArgumentException($"Invalid record folder '{folder}': logs or feedback, optionally followed by safe segments.", nameof(folder));
        }

        return folder;
    }

    /// <summary>The UTC hour a record path names (<c>.../yyyy/MM/dd/HH/file</c>), or null when it names none.</summary>
    public static DateTimeOffset? HourOf(string path)
    {
        var segments = path.Split('/');
        if (segments.Length < 5)
        {
            return null;
        }

        var text = string.Join('/', segments[^5..^1]);
        return DateTimeOffset.TryParseExact(text, "yyyy/MM/dd/HH", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var hour)
            ? hour
            : null;
    }

    private static string Hour(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy/MM/dd/HH", CultureInfo.InvariantCulture);

    private static string FileName(string replica, long sequence) =>
        StoreNames.Check($"{replica}-{sequence.ToString("D6", CultureInfo.InvariantCulture)}{Extension}", "record file name");
}
