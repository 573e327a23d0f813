using MLPipeline.Serving.Dynamic;

namespace MLPipeline.Serving.Pool;

/// <summary>
/// A rented engine; disposing it returns the engine to the generation it came from. An ML.NET version lends a
/// <see cref="DynamicPredictor"/>; an imported ONNX model's version (one shared session) lends only an answer buffer.
/// </summary>
public readonly struct DynamicLease : IDisposable
{
    private readonly DynamicPredictor? _engine;

    internal DynamicLease(ModelSlot slot, ModelGeneration generation)
    {
        Slot = slot;
        Generation = generation;
        if (generation.Onnx is { } onnx)
        {
            Response = onnx.RentResponse();
        }
        else
        {
            _engine = generation.RentDynamic();
            Response = _engine.Response;
        }
    }

    public ModelSlot Slot { get; }

    public ModelGeneration Generation { get; }

    /// <summary>The ML.NET engine (an ONNX model's version has none).</summary>
    public DynamicPredictor Engine => _engine ?? throw new InvalidOperationException($"Model '{Slot.Name}' is an ONNX model; it has no ML.NET engine.");

    /// <summary>Where the request's answer is written.</summary>
    internal ResponseBuffer Response { get; }

    public void Dispose()
    {
        if (_engine is not null)
        {
            Generation.ReturnDynamic(_engine);
        }
        else
        {
            Generation.Onnx!.ReturnResponse(Response);
        }

        Generation.Release();
    }
}
