using System.Text.Json.Serialization;

namespace MLPipeline.Shared.Rollout;

/// <summary>
/// The content of <c>&lt;name&gt;/rollout.json</c>: one rollout of a candidate version against the stable one, moved only
/// with ETag-conditional writes. Every replica routes by it; any replica (or the CLI) moves it a step on.
/// </summary>
public sealed record RolloutRecord
{
    public const string FileName = "rollout.json";

    public required string Model { get; init; }

    /// <summary>Unique per rollout: keys the sticky hash and tells this rollout's figures from an older one's.</summary>
    public required string Id { get; init; }

    /// <summary>The alias the candidate takes over when promoted (normally production), which named the stable version at start.</summary>
    public required string Alias { get; init; }

    public required string Stable { get; init; }

    public required string Candidate { get; init; }

    public required RolloutMode Mode { get; init; }

    /// <summary>Planned weights in percent, increasing, the last 100 (reaching it promotes).</summary>
    public required IReadOnlyList<int> Steps { get; init; }

    /// <summary>Index of the current step in <see cref="Steps"/>.</summary>
    public required int Step { get; init; }

    /// <summary>Percent of requests the candidate answers (canary) or scores a copy of (shadow) now; 0 once rolled back.</summary>
    public required int Weight { get; init; }

    /// <summary>How long each step runs (with every criterion met) before the next one.</summary>
    public required TimeSpan StepTime { get; init; }

    /// <summary>When the current step began; the figures of a step are those written with this time.</summary>
    public required DateTimeOffset StepStartedUtc { get; init; }

    /// <summary>A request header (e.g. X-User-Id) whose value keeps a caller on one version on every replica; null: uniform random.</summary>
    public string? StickyHeader { get; init; }

    public required RolloutCriteria Criteria { get; init; }

    public required RolloutState State { get; init; }

    /// <summary>Promoted and the alias moved to the candidate (or found moved elsewhere and left alone).</summary>
    public bool AliasMoved { get; init; }

    /// <summary>Every transition, oldest first, with the figures that caused it.</summary>
    public required IReadOnlyList<RolloutTransition> History { get; init; }

    /// <summary>The store's concurrency token for the record as it was read; never serialized.</summary>
    [JsonIgnore]
    public string? ETag { get; init; }

    /// <summary>Running or paused: replicas keep both versions loaded and route by the record.</summary>
    [JsonIgnore]
    public bool IsActive => State is RolloutState.Running or RolloutState.Paused;
}

[JsonConverter(typeof(JsonStringEnumConverter<RolloutMode>))]
public enum RolloutMode
{
    /// <summary>The candidate answers a share of the requests.</summary>
    [JsonStringEnumMemberName("canary")]
    Canary,

    /// <summary>The stable version answers every request; the candidate scores a copy of a share of them that nobody sees.</summary>
    [JsonStringEnumMemberName("shadow")]
    Shadow,
}

[JsonConverter(typeof(JsonStringEnumConverter<RolloutState>))]
public enum RolloutState
{
    [JsonStringEnumMemberName("running")]
    Running,

    [JsonStringEnumMemberName("paused")]
    Paused,

    [JsonStringEnumMemberName("promoted")]
    Promoted,

    [JsonStringEnumMemberName("rolledBack")]
    RolledBack,
}

[JsonConverter(typeof(JsonStringEnumConverter<RolloutAction>))]
public enum RolloutAction
{
    [JsonStringEnumMemberName("started")]
    Started,

    [JsonStringEnumMemberName("stepped")]
    Stepped,

    [JsonStringEnumMemberName("paused")]
    Paused,

    [JsonStringEnumMemberName("resumed")]
    Resumed,

    [JsonStringEnumMemberName("promoted")]
    Promoted,

    [JsonStringEnumMemberName("aliasMoved")]
    AliasMoved,

    [JsonStringEnumMemberName("rolledBack")]
    RolledBack,
}

/// <summary>One transition of a rollout: who, when, from which weight to which, why, and the figures summed at that moment.</summary>
public sealed record RolloutTransition
{
    public required DateTimeOffset AtUtc { get; init; }
    public required string By { get; init; }
    public required RolloutAction Action { get; init; }
    public required int FromWeight { get; init; }
    public required int ToWeight { get; init; }
    public required string Reason { get; init; }

    /// <summary>The step's figures per version when the transition was decided (absent for transitions made by hand with none).</summary>
    public IReadOnlyDictionary<string, FiguresSummary>? Figures { get; init; }
}
