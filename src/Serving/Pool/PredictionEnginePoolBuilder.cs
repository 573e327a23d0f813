using MLPipeline.Serving.Loading;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Pool;

/// <summary>Adds named model sources to the pool: <c>services.AddPredictionEnginePool&lt;TIn, TOut&gt;().FromFile(...)</c>.</summary>
public sealed class PredictionEnginePoolBuilder<TIn, TOut>(IServiceCollection services)
    where TIn : class
    where TOut : class, new()
{
    public IServiceCollection Services { get; } = services;

    /// <summary>A model.zip on disk (with manifest.json beside it when there is one).</summary>
    public PredictionEnginePoolBuilder<TIn, TOut> FromFile(string modelName, string filePath) =>
        FromLoader(modelName, _ => new FileModelLoader(filePath));

    /// <summary>A model.zip blob: SAS in the URI, else MLPIPELINE_STORAGE_CONNECTION_STRING, else DefaultAzureCredential.</summary>
    public PredictionEnginePoolBuilder<TIn, TOut> FromUri(string modelName, Uri uri) =>
        FromLoader(modelName, _ => new BlobModelLoader(uri));

    /// <summary>The version an alias points at in a model store.</summary>
    public PredictionEnginePoolBuilder<TIn, TOut> FromStore(string modelName, string storeLocation, string alias = "production") =>
        FromLoader(modelName, _ => new StoreModelLoader(ModelStoreFactory.Open(storeLocation), new ModelReference(StoreNames.Check(modelName, "model name"), null, StoreNames.Check(alias, "alias"))));

    /// <summary>Any other source.</summary>
    public PredictionEnginePoolBuilder<TIn, TOut> FromLoader(string modelName, Func<IServiceProvider, IModelLoader> createLoader)
    {
        Services.AddSingleton(new ModelRegistration(modelName, createLoader));
        return this;
    }
}
