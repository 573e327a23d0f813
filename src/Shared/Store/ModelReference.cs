namespace MLPipeline.Shared.Store;

/// <summary>
/// A reference to a model in a store: <c>name</c> (newest version), <c>name:version</c> or <c>name@alias</c>.
/// </summary>
public sealed record ModelReference(string Name, string? Version, string? Alias)
{
    public static ModelReference Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return new ModelReference(StoreNames.Check(text[..at], "model name"), null, StoreNames.Check(text[(at + 1)..], "alias"));
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0
            ? new ModelReference(StoreNames.Check(text[..colon], "model name"), StoreNames.Check(text[(colon + 1)..], "version"), null)
            : new ModelReference(StoreNames.Check(text, "model name"), null, null);
    }

    public override string ToString() => Alias is not null ? $"{Name}@{Alias}" : Version is not null ? $"{Name}:{Version}" : Name;
}
