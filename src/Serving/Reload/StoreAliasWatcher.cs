using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;
using MLPipeline.Serving.Loading;
using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Reload;

/// <summary>
/// A store model: re-reads the alias record (a few bytes of JSON, with its ETag) and reports a change when it names
/// another version than the served one; without the alias, the newest version counts. A pinned version never changes.
/// </summary>
public sealed class StoreAliasWatcher(StoreModelLoader loader, TimeSpan pollInterval) : IModelSourceWatcher
{
    public TimeSpan PollInterval => pollInterval;

    public async Task<bool> HasChangedAsync(ModelGeneration served, CancellationToken cancellationToken)
    {
        var reference = loader.Reference;
        if (reference.Version is not null)
        {
            return false;
        }

        try
        {
            if (loader.Alias is { } alias && await loader.Store.FindAliasAsync(reference.Name, alias, cancellationToken) is { } record)
            {
                return !string.Equals(record.Version, served.Version, StringComparison.Ordinal);
            }

            if (reference.Alias is not null)
            {
                throw new ModelSourceException($"{loader.Description}: the alias {reference} no longer exists; the served version stays.");
            }

            var versions = await loader.Store.ListVersionsAsync(reference.Name, cancellationToken);
            return versions.Count > 0 && !string.Equals(versions[^1].Version, served.Version, StringComparison.Ordinal);
        }
        catch (ModelStoreException ex)
        {
            throw new ModelSourceException($"{loader.Description}: checking for a new version failed: {ex.Message}", ex);
        }
    }

    public IChangeToken Watch() => NullChangeToken.Singleton;

    public void Dispose()
    {
    }
}
