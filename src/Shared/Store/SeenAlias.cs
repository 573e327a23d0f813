namespace MLPipeline.Shared.Store;

/// <summary>
/// What a person saw of an alias before confirming a move (a page, a prompt): its ETag then, or that it did not exist.
/// A move conditional on it lands only if the alias is still in that state, so nobody confirms a move from a state
/// that someone else has changed in the meantime.
/// </summary>
public sealed record SeenAlias(string? ETag)
{
    /// <summary>The alias did not exist.</summary>
    public static SeenAlias Absent { get; } = new((string?)null);

    public static SeenAlias Of(AliasRecord? alias) => alias is null ? Absent : new SeenAlias(alias.ETag ?? throw new ArgumentException("The alias record carries no ETag: pass the record as the store returned it.", nameof(alias)));

    public bool Matches(AliasRecord? current) => current?.ETag == ETag;
}
