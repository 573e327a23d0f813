using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Sources;

/// <summary>
/// A store model that follows an alias (<c>name@alias</c>), or the configured alias when the model has it and its
/// newest version when it does not. A change is an alias record naming another version, or a newer version.
/// </summary>
public sealed class StoreModelSource(IModelStore store, string name, string? alias, bool orNewest, TimeSpan pollInterval, ModelSizeLimits limits) : IStoreModelSource
{
    public IModelStore Store { get; } = store;

    public string Name { get; } = name;

    /// <summary>The alias followed, if any.</summary>
    public string? Alias { get; } = alias;

    public string Location => Alias is null ? $"{Name} (newest)" : orNewest ? $"{Name}@{Alias} (else newest)" : $"{Name}@{Alias}";

    public string Description => $"store {Store.Location} {Location}";

    public TimeSpan PollInterval => pollInterval;

    public async Task<ModelPackage> FetchAsync(CancellationToken cancellationToken)
    {
        try
        {
            var (version, record) = await ResolveAsync(cancellationToken);
            var manifest = await Store.FindVersionAsync(Name, version, cancellationToken)
                ?? throw new ModelSourceException(record is null
                    ? $"{Location}: version {version} is not in the model store."
                    : $"{Location}: the alias points at version {version}, which is not in the model store.");
            return await StoreVersionSource.ReadAsync(Store, manifest, Location, record is null ? null : Alias, record?.ETag, limits, cancellationToken);
        }
        catch (ModelStoreException ex)
        {
            throw StoreVersionSource.Failed(Store, Location, "reading the version", ex);
        }
    }

    public async Task<bool> HasChangedAsync(ModelGeneration served, CancellationToken cancellationToken)
    {
        try
        {
            var (version, _) = await ResolveAsync(cancellationToken);
            return !string.Equals(version, served.Version, StringComparison.Ordinal);
        }
        catch (ModelStoreException ex)
        {
            throw StoreVersionSource.Failed(Store, Location, "checking for a new version", ex);
        }
    }

    /// <summary>The version to serve now, and the alias record that named it (null when the newest version counts).</summary>
    private async Task<(string Version, AliasRecord? Record)> ResolveAsync(CancellationToken cancellationToken)
    {
        if (Alias is not null && await Store.FindAliasAsync(Name, Alias, cancellationToken) is { } record)
        {
            return (record.Version, record);
        }

        if (Alias is not null && !orNewest)
        {
            throw new ModelSourceException($"{Location}: the alias does not exist in the model store.");
        }

        var versions = await Store.ListVersionsAsync(Name, cancellationToken);
        return versions.Count > 0
            ? (versions[^1].Version, null)
            : throw new ModelSourceException($"{Name}: the model has no complete version in the model store.");
    }
}
