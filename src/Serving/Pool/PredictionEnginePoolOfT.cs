using Microsoft.ML;

namespace MLPipeline.Serving.Pool;

/// <summary>
/// The typed face, for C# callers with input and output classes (the API of Microsoft.Extensions.ML): ML.NET
/// PredictionEngines, pooled per generation, so an engine never outlives the model version it was built on.
/// </summary>
public sealed class PredictionEnginePool<TIn, TOut>(PredictionEnginePool pool)
    where TIn : class
    where TOut : class, new()
{
    private static readonly Func<ModelGeneration, PredictionEngine<TIn, TOut>> CreateEngine =
        g => g.Ml.Model.CreatePredictionEngine<TIn, TOut>(g.Model, g.InputSchema);

    public PredictionEnginePool Models => pool;

    public TOut Predict(string modelName, TIn example)
    {
        using var lease = Rent(modelName);
        return lease.Engine.Predict(example);
    }

    /// <summary>Rents an engine of the model's current generation; dispose the lease to give it back.</summary>
    public TypedLease<TIn, TOut> Rent(string modelName)
    {
        var slot = pool.Find(modelName) ?? throw new UnknownModelException($"Model '{modelName}' is not served.");
        var generation = PredictionEnginePool.Acquire(slot);
        try
        {
            return new TypedLease<TIn, TOut>(generation, generation.TypedPool(CreateEngine));
        }
        catch
        {
            generation.Release();
            throw;
        }
    }

    /// <summary>The model served now under that name.</summary>
    public ITransformer GetModel(string modelName)
    {
        var slot = pool.Find(modelName) ?? throw new UnknownModelException($"Model '{modelName}' is not served.");
        return (slot.Current ?? throw new ModelNotReadyException($"Model '{modelName}' has no version loaded yet.")).Model;
    }
}
