using System.Globalization;

namespace MLPipeline.Training.Cli;

/// <summary>Durations on the command line: <c>90s</c>, <c>5m</c>, <c>2h</c>, or <c>hh:mm:ss</c>.</summary>
public static class StepTime
{
    /// <exception cref="ArgumentException">Not a positive duration in one of those forms.</exception>
    public static TimeSpan Parse(string text, string option)
    {
        var value = text.Trim();
        // NaN, infinities and numbers beyond TimeSpan's range (1e300h) are no duration either (TimeSpan throws on them).
        TimeSpan? parsed = value.Length > 1 && double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? char.ToLowerInvariant(value[^1]) switch
            {
                's' => Seconds(number),
                'm' => Seconds(number * 60),
                'h' => Seconds(number * 3600),
                _ => null,
            }
            : TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span) ? span : null;
        return parsed is { } duration && duration > TimeSpan.Zero
            ? duration
            : throw new ArgumentException($"{option} '{text}' is not a duration: use e.g. 90s, 5m, 2h or 00:05:00.");
    }

    private static TimeSpan? Seconds(double seconds) =>
        double.IsFinite(seconds) && Math.Abs(seconds) < TimeSpan.MaxValue.TotalSeconds / 2 ? TimeSpan.FromSeconds(seconds) : null;
}
