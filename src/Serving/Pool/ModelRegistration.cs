using MLPipeline.Serving.Loading;

namespace MLPipeline.Serving.Pool;

/// <summary>A named model source added at configuration time (by the builder's FromFile / FromUri / FromStore).</summary>
public sealed record ModelRegistration(string Name, Func<IServiceProvider, IModelLoader> CreateLoader);
