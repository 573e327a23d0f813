namespace MLPipeline.Shared.Store;

/// <summary>A small document kept beside a model's versions and aliases, with the store's concurrency token as read.</summary>
public sealed record StoredDocument(byte[] Content, string ETag);

/// <summary>When a document write may land: always, only if the document does not exist yet, or only if it is unchanged since read.</summary>
public sealed record DocumentCondition
{
    private DocumentCondition(string? ifMatch, bool ifAbsent)
    {
        IfMatch = ifMatch;
        IfAbsent = ifAbsent;
    }

    /// <summary>Overwrites whatever is there (a file only one writer owns, e.g. a replica's figures).</summary>
    public static DocumentCondition None { get; } = new(null, false);

    /// <summary>Creates the document; fails when it exists.</summary>
    public static DocumentCondition Absent { get; } = new(null, true);

    public string? IfMatch { get; }

    public bool IfAbsent { get; }

    /// <summary>Replaces the document only while it still has <paramref name="etag"/>.</summary>
    public static DocumentCondition Matching(string etag) => new(etag ?? throw new ArgumentNullException(nameof(etag)), false);

    /// <summary>Matching the document as read, or absent when it was not there.</summary>
    public static DocumentCondition Unchanged(StoredDocument? read) => read is null ? Absent : Matching(read.ETag);
}
