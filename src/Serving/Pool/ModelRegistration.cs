using MLPipeline.Serving.Sources;

namespace MLPipeline.Serving.Pool;

/// <summary>A named model source added at configuration time (by the builder's FromFile / FromUri / FromStore / FromSource).</summary>
public sealed record ModelRegistration(string Name, Func<IServiceProvider, IModelSource> CreateSource);
