namespace MLPipeline.Serving.Monitoring;

/// <summary>
/// <c>Serving:Monitoring</c>: which share of each model's predictions is logged and monitored, how the log is batched
/// into the store, and the windows behind live quality and drift. Off by default for every model.
/// </summary>
public sealed class MonitoringOptions
{
    public const string Section = "Serving:Monitoring";

    /// <summary>Share of requests logged and monitored (0-100) for a model not named in <see cref="Models"/>.</summary>
    public double DefaultLogPercent { get; set; }

    /// <summary>Per model: <c>{"house-prices": {"LogPercent": 10}}</c>.</summary>
    public Dictionary<string, ModelMonitoringOptions> Models { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Where log and feedback files go; default the store the models come from.</summary>
    public string? Store { get; set; }

    /// <summary>This replica's name in log file names; default the host name and a random suffix (unique per process).</summary>
    public string? Replica { get; set; }

    /// <summary>
    /// Rows held in memory between a prediction and the store: queued for the background loop, and again gathered in
    /// files the store has not taken yet. Beyond it rows are dropped (and counted).
    /// </summary>
    public int QueueCapacity { get; set; } = 20_000;

    /// <summary>
    /// Bytes those rows may hold in memory at most (64 MiB; at least 1 MiB), counted beside the rows: a row of long texts
    /// weighs as much as thousands of rows of numbers. Beyond it rows are dropped (and counted).
    /// </summary>
    public long QueueBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Rows per log file at most.</summary>
    public int BatchRows { get; set; } = 1_000;

    /// <summary>Longest time a logged row waits before its file is written.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Predictions per version that feedback can still join (the oldest leave first).</summary>
    public int JoinWindowRows { get; set; } = 100_000;

    /// <summary>How long a prediction waits for its feedback.</summary>
    public TimeSpan JoinWindowAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Joined rows per version behind the live quality figures (a sliding window).</summary>
    public int QualityWindowRows { get; set; } = 10_000;

    /// <summary>Logged rows per version behind the drift figures (a sliding window).</summary>
    public int DriftWindowRows { get; set; } = 5_000;

    /// <summary>Rows the drift window needs before a status other than <c>warming-up</c> is given.</summary>
    public int DriftMinimumRows { get; set; } = 200;

    /// <summary>Population stability index above which a column (or the score) is <c>drifting</c>.</summary>
    public double DriftThreshold { get; set; } = 0.2;

    public double LogPercentOf(string model) =>
        Models.TryGetValue(model, out var options) && options.LogPercent is { } percent ? percent : DefaultLogPercent;

    /// <summary>Every problem of these settings, named by key.</summary>
    public IEnumerable<string> Problems()
    {
        if (DefaultLogPercent is < 0 or > 100)
        {
            yield return $"{Section}:DefaultLogPercent must be between 0 and 100.";
        }

        foreach (var (name, model) in Models)
        {
            if (model.LogPercent is < 0 or > 100)
            {
                yield return $"{Section}:Models:{name}:LogPercent must be between 0 and 100.";
            }
        }

        if (Replica is not null && !Shared.Store.StoreNames.IsValid(Replica))
        {
            yield return $"{Section}:Replica must be letters, digits, '.', '_' or '-'.";
        }

        foreach (var (key, value) in new (string, int)[] { ("QueueCapacity", QueueCapacity), ("BatchRows", BatchRows), ("JoinWindowRows", JoinWindowRows), ("QualityWindowRows", QualityWindowRows), ("DriftWindowRows", DriftWindowRows) })
        {
            if (value < 1)
            {
                yield return $"{Section}:{key} must be at least 1.";
            }
        }

        if (QueueBytes < 1024 * 1024)
        {
            yield return $"{Section}:QueueBytes must be at least 1048576 (1 MiB).";
        }

        if (FlushInterval <= TimeSpan.Zero || JoinWindowAge <= TimeSpan.Zero)
        {
            yield return $"{Section}:FlushInterval and JoinWindowAge must be positive.";
        }

        if (DriftThreshold <= 0)
        {
            yield return $"{Section}:DriftThreshold must be positive.";
        }
    }
}

public sealed class ModelMonitoringOptions
{
    /// <summary>Share of this model's requests logged and monitored, 0-100.</summary>
    public double? LogPercent { get; set; }
}
