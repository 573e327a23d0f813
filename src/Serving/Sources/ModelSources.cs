using MLPipeline.Serving.Options;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Sources;

/// <summary>Makes the source that fits a location, with the poll intervals and size limits of one configuration.</summary>
public sealed class ModelSources(ServingOptions settings)
{
    public IModelSource File(string path) =>
        new FileModelSource(settings.ResolvePath(path), settings.Reload.FilePollInterval, settings.Reload.FileDebounce, settings.Limits.ModelSize);

    /// <exception cref="ModelSourceException">The URI does not name a blob, or no credential fits it.</exception>
    public IModelSource Blob(Uri uri) => new BlobModelSource(uri, settings.Reload.PollInterval, settings.Limits.ModelSize);

    /// <summary>
    /// A store model: a pinned version, an alias, or (neither given) <paramref name="preferredAlias"/> when the model has
    /// it and its newest version otherwise.
    /// </summary>
    public IModelSource Store(IModelStore store, ModelReference reference, string? preferredAlias) => reference switch
    {
        { Version: { } version } => Version(store, reference.Name, version),
        { Alias: { } alias } => new StoreModelSource(store, reference.Name, alias, orNewest: false, settings.Reload.PollInterval, settings.Limits.ModelSize),
        _ => new StoreModelSource(store, reference.Name, preferredAlias, orNewest: true, settings.Reload.PollInterval, settings.Limits.ModelSize),
    };

    public IModelSource Version(IModelStore store, string name, string version) =>
        new StoreVersionSource(store, name, version, settings.Limits.ModelSize);
}
