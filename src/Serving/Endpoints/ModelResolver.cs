using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Sources;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Endpoints;

/// <summary>
/// Finds the slot that answers a route: the served model, or another version of a store model (loaded on first use
/// through the same verify-and-warm-up path, kept in the bounded on-demand cache), or the version an alias points at.
/// Store lookups (does the version exist, where does the alias point) are cached for a few seconds, answers and misses
/// alike, so a version in memory never touches storage per request and unknown names cannot hammer the store.
/// </summary>
public sealed class ModelResolver(PredictionEnginePool pool, IOptions<ServingOptions> options) : IDisposable
{
    /// <summary>How long a store lookup is trusted: an alias move reaches these routes within this time.</summary>
    public static readonly TimeSpan LookupLifetime = TimeSpan.FromSeconds(5);

    private readonly MemoryCache _lookups = new(new MemoryCacheOptions { SizeLimit = 10_000 });

    public ModelSlot Served(string name) =>
        pool.Find(name) ?? throw new UnknownModelException($"Model '{name}' is not served. GET /models lists the served models.");

    public async Task<ModelSlot> VersionAsync(string name, string version, CancellationToken cancellationToken)
    {
        var served = Served(name);
        if (served.Current?.Version == version)
        {
            return served;
        }

        if (served.Source is not IStoreModelSource storeSource)
        {
            throw new UnknownModelException($"Model '{name}' is served from a single file, which holds only version '{served.Current?.Version}'.", "version");
        }

        var key = $"{name}:{version}";
        if (pool.OnDemand.TryGetLoaded(key) is { } loaded)
        {
            return loaded;
        }

        if (!StoreNames.IsValid(version) || !await LookupAsync($"v:{name}:{version}", ct => VersionExistsAsync(storeSource.Store, name, version, ct), cancellationToken))
        {
            throw new UnknownModelException($"Model '{name}' has no version '{version}' in its store.", "version");
        }

        var versions = pool.OnDemand;
        var slot = versions.GetOrAdd(key, () => new ModelSources(options.Value).Version(storeSource.Store, name, version));
        if (slot.Current is null)
        {
            try
            {
                await pool.EnsureLoadedAsync(slot, cancellationToken);
            }
            catch (ModelSourceException ex)
            {
                // A failed load does not keep a place.
                versions.Remove(slot);
                throw new ModelNotReadyException($"Version '{version}' of model '{name}' could not be loaded: {ex.Message}");
            }

            versions.Trim(slot);
        }

        return slot;
    }

    public async Task<ModelSlot> AliasAsync(string name, string alias, CancellationToken cancellationToken)
    {
        var served = Served(name);
        if (served.Source is not IStoreModelSource storeSource)
        {
            throw new UnknownModelException($"Model '{name}' is served from a single file, which has no aliases.", "alias");
        }

        var version = StoreNames.IsValid(alias)
            ? await LookupAsync($"a:{name}:{alias}", ct => AliasVersionAsync(storeSource.Store, name, alias, ct), cancellationToken)
            : null;
        return version is null
            ? throw new UnknownModelException($"Model '{name}' has no alias '{alias}'.", "alias")
            : await VersionAsync(name, version, cancellationToken);
    }

    private async Task<T> LookupAsync<T>(string key, Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        if (_lookups.TryGetValue(key, out T? cached))
        {
            return cached!;
        }

        T value;
        try
        {
            value = await read(cancellationToken);
        }
        catch (Exception ex) when (ex is ModelStoreException or InvalidDataException)
        {
            throw new ModelNotReadyException("The model store cannot be read right now; try again shortly.");
        }

        _lookups.Set(key, value, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = LookupLifetime });
        return value;
    }

    public void Dispose() => _lookups.Dispose();

    private static async Task<bool> VersionExistsAsync(IModelStore store, string name, string version, CancellationToken cancellationToken) =>
        await store.FindVersionAsync(name, version, cancellationToken) is not null;

    private static async Task<string?> AliasVersionAsync(IModelStore store, string name, string alias, CancellationToken cancellationToken) =>
        (await store.FindAliasAsync(name, alias, cancellationToken))?.Version;
}
