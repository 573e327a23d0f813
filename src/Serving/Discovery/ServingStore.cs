using Microsoft.Extensions.Options;
using MLPipeline.Serving.Options;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Discovery;

/// <summary>The model store the service reads from, opened once from <see cref="ServingOptions.ResolveStoreLocation"/>.</summary>
public sealed class ServingStore(IOptions<ServingOptions> options)
{
    private readonly Lazy<IModelStore> _store = new(() => ModelStoreFactory.Open(options.Value.ResolveStoreLocation()));

    /// <exception cref="ModelStoreException">The location cannot be opened by this build.</exception>
    public IModelStore Store => _store.Value;
}
