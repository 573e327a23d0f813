using Microsoft.Extensions.Options;
using MLPipeline.Serving.Loading;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Hosting;

/// <summary>
/// Registers what the configuration asks for: the direct sources (Serving:Sources), then the store models named in
/// Serving:Models, or, when neither is set, every model in the store (its Serving:Alias version, else its newest).
/// </summary>
public sealed partial class ConfiguredModelDiscovery(IOptions<ServingOptions> options, ServingStore store, ILogger<ConfiguredModelDiscovery> logger) : IModelDiscovery
{
    public async Task DiscoverAsync(PredictionEnginePool pool, CancellationToken cancellationToken)
    {
        foreach (var (name, loader) in await PlanAsync(options.Value, cancellationToken))
        {
            pool.Register(name, loader);
        }
    }

    /// <summary>The models a configuration asks for, with their loaders (also used when the configuration changes at run time).</summary>
    public async Task<IReadOnlyList<(string Name, IModelLoader Loader)>> PlanAsync(ServingOptions settings, CancellationToken cancellationToken)
    {
        var plan = new List<(string, IModelLoader)>();
        foreach (var source in settings.Sources)
        {
            IModelLoader loader = source.Path is { Length: > 0 } path
                ? new FileModelLoader(settings.ResolvePath(path))
                : new BlobModelLoader(new Uri(source.Uri!));
            plan.Add((source.Name, loader));
        }

        if (settings.Models.Count > 0)
        {
            foreach (var reference in settings.Models.Select(ModelReference.Parse))
            {
                var follows = reference.Alias is null && reference.Version is null ? settings.Alias : null;
                plan.Add((reference.Name, new StoreModelLoader(store.Store, reference, follows)));
            }

            return plan;
        }

        if (settings.Sources.Count > 0)
        {
            return plan;
        }

        var names = await store.Store.ListModelsAsync(cancellationToken);
        if (names.Count == 0)
        {
            LogEmptyStore(logger, store.Store.Location);
        }

        foreach (var name in names)
        {
            plan.Add((name, new StoreModelLoader(store.Store, new ModelReference(name, null, null), settings.Alias)));
        }

        return plan;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The model store {Location} has no models: nothing to serve (train one with the mlpipeline train command).")]
    private static partial void LogEmptyStore(ILogger logger, string location);
}
