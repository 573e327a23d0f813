using MLPipeline.Serving.Options;
using MLPipeline.Serving.Sources;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Discovery;

/// <summary>
/// Which models a configuration serves, each with its source: the direct sources (Serving:Sources), then the store
/// models named in Serving:Models, or, when neither is set, every model in the store (its Serving:Alias version, else
/// its newest).
/// </summary>
public sealed class ServingPlan(ServingStore store)
{
    /// <summary>The models <paramref name="settings"/> asks for; the caller owns (and disposes) the sources it does not keep.</summary>
    /// <exception cref="ModelStoreException">The store cannot be opened or listed.</exception>
    public async Task<IReadOnlyList<(string Name, IModelSource Source)>> ResolveAsync(ServingOptions settings, CancellationToken cancellationToken)
    {
        var sources = new ModelSources(settings);
        var plan = new List<(string, IModelSource)>();
        foreach (var source in settings.Sources)
        {
            plan.Add((source.Name, source.Path is { Length: > 0 } path ? sources.File(path) : Blob(sources, source.Uri!)));
        }

        if (settings.Models.Count > 0)
        {
            foreach (var reference in settings.Models.Select(ModelReference.Parse))
            {
                plan.Add((reference.Name, sources.Store(store.Store, reference, settings.Alias)));
            }

            return plan;
        }

        if (settings.Sources.Count > 0)
        {
            return plan;
        }

        var names = await store.Store.ListModelsAsync(cancellationToken);
        foreach (var name in names)
        {
            plan.Add((name, sources.Store(store.Store, new ModelReference(name, null, null), settings.Alias)));
        }

        return plan;
    }

    private static IModelSource Blob(ModelSources sources, string uri)
    {
        try
        {
            return sources.Blob(new Uri(uri));
        }
        catch (ModelSourceException ex)
        {
            return new UnavailableSource(new Uri(uri).AbsolutePath.TrimStart('/'), ex);
        }
    }
}
