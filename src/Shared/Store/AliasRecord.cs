using System.Text.Json.Serialization;

namespace MLPipeline.Shared.Store;

/// <summary>The content of <c>&lt;name&gt;/aliases/&lt;alias&gt;.json</c>.</summary>
public sealed record AliasRecord
{
    public required string Model { get; init; }
    public required string Alias { get; init; }
    public required string Version { get; init; }

    /// <summary>Where the alias pointed before its last move: the target of a rollback.</summary>
    public string? PreviousVersion { get; init; }

    public required string MovedBy { get; init; }
    public required DateTimeOffset MovedUtc { get; init; }

    /// <summary>The store's concurrency token for this alias as it was read; never serialized.</summary>
    [JsonIgnore]
    public string? ETag { get; init; }
}
