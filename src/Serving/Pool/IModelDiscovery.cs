namespace MLPipeline.Serving.Pool;

/// <summary>Registers models found at start (e.g. every model of a store) before the first load.</summary>
public interface IModelDiscovery
{
    Task DiscoverAsync(PredictionEnginePool pool, CancellationToken cancellationToken);
}
