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

    /// <summary>A move of an alias to a version, made now by <paramref name="movedBy"/> (null: whoever runs this process).</summary>
    public static AliasRecord Moved(string model, string alias, string version, string? previousVersion, string? movedBy = null) => new()
    {
        Model = model,
        Alias = alias,
        Version = version,
        PreviousVersion = previousVersion,
        MovedBy = movedBy ?? AliasMover.Identity,
        MovedUtc = DateTimeOffset.UtcNow,
    };

    /// <summary>The record as read from <paramref name="file"/>, refused unless it names a valid version of this model and alias.</summary>
    /// <exception cref="ModelStoreException">A field is missing, or names something other than where the record was found.</exception>
    public AliasRecord CheckedAt(string name, string alias, string file)
    {
        if (!StoreNames.IsValid(Version))
        {
            throw new ModelStoreException($"{file}: invalid alias record: version {(Version is null ? "is missing" : $"'{Version}' is not a valid version name")}.");
        }

        if (Model != name || Alias != alias)
        {
            throw new ModelStoreException($"{file}: invalid alias record: it names {Model}@{Alias}, but was found as {name}@{alias}.");
        }

        return PreviousVersion is null || StoreNames.IsValid(PreviousVersion)
            ? this
            : throw new ModelStoreException($"{file}: invalid alias record: previousVersion '{PreviousVersion}' is not a valid version name.");
    }

    /// <summary>The store's concurrency token for this alias as it was read; never serialized.</summary>
    [JsonIgnore]
    public string? ETag { get; init; }
}
