using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;

namespace MLPipeline.Serving.Pool;

/// <summary>A rented typed engine; disposing it returns the engine to the generation it came from.</summary>
public readonly struct TypedLease<TIn, TOut> : IDisposable
    where TIn : class
    where TOut : class, new()
{
    private readonly ObjectPool<PredictionEngine<TIn, TOut>> _pool;

    internal TypedLease(ModelGeneration generation, ObjectPool<PredictionEngine<TIn, TOut>> pool)
    {
        Generation = generation;
        _pool = pool;
        Engine = pool.Get();
    }

    public ModelGeneration Generation { get; }

    public PredictionEngine<TIn, TOut> Engine { get; }

    public void Dispose()
    {
        _pool.Return(Engine);
        Generation.Release();
    }
}
