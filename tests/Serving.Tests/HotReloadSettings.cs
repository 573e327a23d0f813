namespace MLPipeline.Serving.Tests;

/// <summary>Settings every hot-reload test uses: fast polls and backoff, and no rate limit (the load is one client address).</summary>
public static class HotReloadSettings
{
    public const string PollInterval = "00:00:00.300";

    /// <summary>Poll interval plus load time (a few seconds on a loaded 2-core machine), with room to spare.</summary>
    public static readonly TimeSpan SwapDeadline = TimeSpan.FromSeconds(20);

    public static Dictionary<string, string?> With(params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Serving:Reload:PollInterval"] = PollInterval,
            ["Serving:Reload:MaxBackoff"] = "00:00:01",
            ["Serving:Reload:FileDebounce"] = "00:00:00.200",
            ["Serving:RateLimit:PermitsPerSecond"] = "0",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }
}
