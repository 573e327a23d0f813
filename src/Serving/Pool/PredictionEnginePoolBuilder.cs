using Microsoft.Extensions.Options;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Sources;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Pool;

/// <summary>Adds named model sources to the pool: <c>services.AddPredictionEnginePool&lt;TIn, TOut&gt;().FromFile(...)</c>.</summary>
public sealed class PredictionEnginePoolBuilder<TIn, TOut>(IServiceCollection services)
    where TIn : class
    where TOut : class, new()
{
    public IServiceCollection Services { get; } = services;

    /// <summary>A model.zip on disk (with manifest.json beside it when there is one), reloaded when the file changes.</summary>
    public PredictionEnginePoolBuilder<TIn, TOut> FromFile(string modelName, string filePath) =>
        FromSource(modelName, sp => Sources(sp).File(filePath));

    /// <summary>A model.zip blob: SAS in the URI, else MLPIPELINE_STORAGE_CONNECTION_STRING, else DefaultAzureCredential.</summary>
    public PredictionEnginePoolBuilder<TIn, TOut> FromUri(string modelName, Uri uri) =>
        FromSource(modelName, sp => Sources(sp).Blob(uri));

    /// <summary>The version an alias points at in a model store, followed as the alias moves.</summary>
    public PredictionEnginePoolBuilder<TIn, TOut> FromStore(string modelName, string storeLocation, string alias = "production") =>
        FromSource(modelName, sp => Sources(sp).Store(
            ModelStoreFactory.Open(storeLocation),
            new ModelReference(StoreNames.Check(modelName, "model name"), null, StoreNames.Check(alias, "alias")),
            preferredAlias: null));

    /// <summary>Any other source.</summary>
    public PredictionEnginePoolBuilder<TIn, TOut> FromSource(string modelName, Func<IServiceProvider, IModelSource> createSource)
    {
        Services.AddSingleton(new ModelRegistration(modelName, createSource));
        return this;
    }

    private static ModelSources Sources(IServiceProvider services) =>
        new(services.GetService<IOptions<ServingOptions>>()?.Value ?? new ServingOptions());
}
