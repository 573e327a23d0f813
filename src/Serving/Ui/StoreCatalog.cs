using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using MLPipeline.Serving.Discovery;
using MLPipeline.Serving.Options;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Ui;

/// <summary>
/// The store as the pages read it: the model list and each model's versions and aliases, kept for
/// <see cref="UiOptions.StoreRefresh"/> and refreshed in the background, so a page never waits on a store that holds
/// thousands of manifests (only the first look at a model does). Alias moves made through the pages invalidate the model.
/// </summary>
public sealed class StoreCatalog(ServingStore servingStore, IOptions<ServingOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, StaleWhileRefresh<ModelHistory>> _histories = new(StringComparer.Ordinal);
    private readonly StaleWhileRefresh<IReadOnlyList<string>> _models = new(ct => servingStore.Store.ListModelsAsync(ct), options.Value.Ui.StoreRefresh, time);

    public IModelStore Store => servingStore.Store;

    /// <summary>The store's location as the service shows it (secrets removed).</summary>
    public string Location => Store.Location;

    public Task<StaleWhileRefresh<IReadOnlyList<string>>.Snapshot> ModelsAsync() =>
        _models.GetAsync();

    public async Task<StaleWhileRefresh<ModelHistory>.Snapshot> HistoryAsync(string name)
    {
        if (_histories.TryGetValue(StoreNames.Check(name, "model name"), out var kept))
        {
            return await kept.GetAsync();
        }

        var history = new StaleWhileRefresh<ModelHistory>(ct => ReadHistoryAsync(name, ct), options.Value.Ui.StoreRefresh, time);
        var snapshot = await history.GetAsync();

        // Only a model the store holds is kept: any other name a caller types in a URL would stay for good.
        if (snapshot.Value is { Versions.Count: > 0 } or { InvalidVersions.Count: > 0 } or { Aliases.Count: > 0 })
        {
            _histories.TryAdd(name, history);
        }

        return snapshot;
    }

    /// <summary>How many models' histories are kept (the store's models that were looked at).</summary>
    internal int KeptHistories => _histories.Count;

    /// <summary>A version as the cached history has it, else from the store (published since the last read); null when there is none.</summary>
    public async Task<ModelManifest?> FindVersionAsync(string name, string version, CancellationToken cancellationToken) =>
        (await HistoryAsync(name)).Value.Find(version) ?? (StoreNames.IsValid(version) ? await Store.FindVersionAsync(name, version, cancellationToken) : null);

    /// <summary>After a change made through the pages: the next look at the model reads the store.</summary>
    public void Invalidate(string name)
    {
        if (_histories.TryGetValue(name, out var history))
        {
            history.Invalidate();
        }
    }

    private async Task<ModelHistory> ReadHistoryAsync(string name, CancellationToken cancellationToken)
    {
        var listing = await Store.ScanVersionsAsync(name, cancellationToken);
        var aliases = await Store.ListAliasesAsync(name, cancellationToken);
        return new ModelHistory(name, listing.Versions, [.. listing.Invalid.Select(e => e.Message)], aliases);
    }
}
