using Microsoft.Extensions.Options;
using MLPipeline.Serving.Loading;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Endpoints;

/// <summary>
/// Finds the slot that answers a route: the served model, or another version of a store model (loaded on first use,
/// through the same verify-and-warm-up path), or the version an alias points at now.
/// </summary>
public sealed class ModelResolver(PredictionEnginePool pool, IOptions<ServingOptions> options)
{
    public ModelSlot Served(string name) =>
        pool.Find(name) ?? throw new UnknownModelException($"Model '{name}' is not served. GET /models lists the served models.");

    public async Task<ModelSlot> VersionAsync(string name, string version, CancellationToken cancellationToken)
    {
        var served = Served(name);
        if (served.Current?.Version == version)
        {
            return served;
        }

        if (served.Loader is not StoreModelLoader storeLoader)
        {
            throw new UnknownModelException($"Model '{name}' comes from {served.Loader.Description}, which holds only version '{served.Current?.Version}'.", "version");
        }

        if (!StoreNames.IsValid(version) || await FindVersionAsync(storeLoader.Store, name, version, cancellationToken) is null)
        {
            throw new UnknownModelException($"Model '{name}' has no version '{version}' in its store.", "version");
        }

        var slot = pool.GetOrAddVersion($"{name}:{version}", () => new StoreModelLoader(storeLoader.Store, new ModelReference(name, version, null)), options.Value.Limits.MaxOnDemandVersions);
        if (slot.Current is null)
        {
            try
            {
                await pool.EnsureLoadedAsync(slot, cancellationToken);
            }
            catch (ModelSourceException ex)
            {
                throw new ModelNotReadyException($"Version '{version}' of model '{name}' could not be loaded: {ex.Message}");
            }
        }

        return slot;
    }

    public async Task<ModelSlot> AliasAsync(string name, string alias, CancellationToken cancellationToken)
    {
        var served = Served(name);
        if (served.Loader is not StoreModelLoader storeLoader)
        {
            throw new UnknownModelException($"Model '{name}' comes from {served.Loader.Description}, which has no aliases.", "alias");
        }

        AliasRecord? record = null;
        if (StoreNames.IsValid(alias))
        {
            try
            {
                record = await storeLoader.Store.FindAliasAsync(name, alias, cancellationToken);
            }
            catch (ModelStoreException ex)
            {
                throw new ModelNotReadyException($"The store could not be read: {ex.Message}");
            }
        }

        return record is null
            ? throw new UnknownModelException($"Model '{name}' has no alias '{alias}'.", "alias")
            : await VersionAsync(name, record.Version, cancellationToken);
    }

    private static async Task<object?> FindVersionAsync(IModelStore store, string name, string version, CancellationToken cancellationToken)
    {
        try
        {
            return await store.FindVersionAsync(name, version, cancellationToken);
        }
        catch (ModelStoreException ex)
        {
            throw new ModelNotReadyException($"The store could not be read: {ex.Message}");
        }
    }
}
