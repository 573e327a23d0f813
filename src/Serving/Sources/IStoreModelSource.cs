using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Sources;

/// <summary>A source backed by a model store, which therefore has other versions and aliases to offer on demand.</summary>
public interface IStoreModelSource : IModelSource
{
    IModelStore Store { get; }

    /// <summary>The model's name in the store.</summary>
    string Name { get; }
}
