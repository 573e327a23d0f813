using System.Globalization;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Ui;

/// <summary>How the pages write numbers, times, sizes and hashes.</summary>
public static class UiFormat
{
    public static string Metric(double? value) =>
        value is not { } v ? "–" : double.IsFinite(v) ? v.ToString(Math.Abs(v) >= 1000 ? "N1" : "0.####", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);

    /// <summary>A difference with its sign; "–" when either side is missing.</summary>
    public static string Difference(double? a, double? b) =>
        a is { } x && b is { } y ? (y - x).ToString("+0.####;-0.####;0", CultureInfo.InvariantCulture) : "–";

    public static string Time(DateTimeOffset? time) => time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "–";

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KiB",
        _ => (bytes / (1024.0 * 1024)).ToString("0.#", CultureInfo.InvariantCulture) + " MiB",
    };

    public static string ShortHash(string? sha256) => string.IsNullOrEmpty(sha256) ? "–" : sha256.Length > 12 ? sha256[..12] : sha256;

    /// <summary>The CSS class of a served model's status word.</summary>
    public static string StatusClass(string status) => "status-" + status;

    /// <summary>"better" or "worse" for a change from <paramref name="a"/> to <paramref name="b"/> of this metric, else empty.</summary>
    public static string Judgement(string metric, double? a, double? b) =>
        a is not { } x || b is not { } y || x == y ? "" : (y > x) != MetricDirection.LowerIsBetter(metric) ? "better" : "worse";
}
