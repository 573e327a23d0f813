using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MLPipeline.Serving.Lifecycle;
using MLPipeline.Serving.Observability;
using MLPipeline.Serving.Options;

namespace MLPipeline.Serving.Pool;

public static class PredictionEnginePoolServiceCollectionExtensions
{
    /// <summary>The typed face over the shared pool, plus the pool itself and the lifecycle loop of every model.</summary>
    public static PredictionEnginePoolBuilder<TIn, TOut> AddPredictionEnginePool<TIn, TOut>(this IServiceCollection services)
        where TIn : class
        where TOut : class, new()
    {
        services.AddPredictionEnginePool();
        services.TryAddSingleton<PredictionEnginePool<TIn, TOut>>();
        return new PredictionEnginePoolBuilder<TIn, TOut>(services);
    }

    /// <summary>The dynamic pool (any model, schema from its manifest) and the lifecycle service that loads and reloads its models.</summary>
    public static IServiceCollection AddPredictionEnginePool(this IServiceCollection services)
    {
        services.TryAddSingleton<ServingMetrics>();
        services.TryAddSingleton<PredictionEnginePool>(sp => new PredictionEnginePool(
            sp.GetServices<ModelRegistration>(), sp, sp.GetRequiredService<ServingMetrics>(), sp.GetRequiredService<ILogger<PredictionEnginePool>>(),
            sp.GetService<IOptions<ServingOptions>>()?.Value.Limits, sp.GetService<IOptions<ServingOptions>>()?.Value.BatchEngine ?? BatchEngineChoice.Auto,
            sp.GetService<IOptions<ServingOptions>>()?.Value.Onnx));
        services.TryAddSingleton<ModelLifecycleService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ModelLifecycleService>(sp => sp.GetRequiredService<ModelLifecycleService>()));
        return services;
    }
}
