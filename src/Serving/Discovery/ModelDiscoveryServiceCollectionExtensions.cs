namespace MLPipeline.Serving.Discovery;

public static class ModelDiscoveryServiceCollectionExtensions
{
    /// <summary>The configured store and sources, and the service that keeps the pool's list of models in line with them.</summary>
    public static IServiceCollection AddModelDiscovery(this IServiceCollection services)
    {
        services.AddSingleton<ServingStore>();
        services.AddSingleton<ServingPlan>();
        services.AddHostedService<ModelDiscoveryService>();
        return services;
    }
}
