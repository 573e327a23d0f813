using Microsoft.Extensions.DependencyInjection.Extensions;
using MLPipeline.Serving.Observability;

namespace MLPipeline.Serving.Pool;

public static class PredictionEnginePoolServiceCollectionExtensions
{
    /// <summary>The typed face over the shared pool, plus the pool itself and its background loader.</summary>
    public static PredictionEnginePoolBuilder<TIn, TOut> AddPredictionEnginePool<TIn, TOut>(this IServiceCollection services)
        where TIn : class
        where TOut : class, new()
    {
        services.AddPredictionEnginePool();
        services.TryAddSingleton<PredictionEnginePool<TIn, TOut>>();
        return new PredictionEnginePoolBuilder<TIn, TOut>(services);
    }

    /// <summary>The dynamic pool (any model, schema from its manifest) and the background loader.</summary>
    public static IServiceCollection AddPredictionEnginePool(this IServiceCollection services)
    {
        services.TryAddSingleton<ServingMetrics>();
        services.TryAddSingleton<PredictionEnginePool>(sp => new PredictionEnginePool(
            sp.GetServices<ModelRegistration>(), sp, sp.GetRequiredService<ServingMetrics>(), sp.GetRequiredService<ILogger<PredictionEnginePool>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ModelLoadingService>());
        return services;
    }
}
