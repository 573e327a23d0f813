using MLPipeline.Serving.Dynamic;

namespace MLPipeline.Serving.Pool;

/// <summary>A rented dynamic engine; disposing it returns the engine to the generation it came from.</summary>
public readonly struct DynamicLease : IDisposable
{
    internal DynamicLease(ModelSlot slot, ModelGeneration generation)
    {
        Slot = slot;
        Generation = generation;
        Engine = generation.RentDynamic();
    }

    public ModelSlot Slot { get; }

    public ModelGeneration Generation { get; }

    public DynamicPredictor Engine { get; }

    public void Dispose()
    {
        Generation.ReturnDynamic(Engine);
        Generation.Release();
    }
}
