using MLPipeline.Serving.Loading;

namespace MLPipeline.Serving.Reload;

/// <summary>The watcher that fits a loader: blob, store alias or file; null for sources that cannot be watched.</summary>
public static class ModelSourceWatchers
{
    public static IModelSourceWatcher? For(IModelLoader loader, ReloadOptions options) => loader switch
    {
        BlobModelLoader blob => new BlobSourceWatcher(blob, options.PollInterval),
        StoreModelLoader store => new StoreAliasWatcher(store, options.PollInterval),
        FileModelLoader file => new FileSourceWatcher(file, options.FilePollInterval, options.FileDebounce),
        _ => null,
    };
}
