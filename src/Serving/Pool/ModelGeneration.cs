using System.Text.Json;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using MLPipeline.Serving.Dynamic;
using MLPipeline.Serving.Onnx;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Pool;

/// <summary>
/// One loaded model version and the engines built on it. A generation is reference counted: the slot that serves it
/// holds one reference and every rented engine holds one more. When the slot swaps it out and the last engine comes
/// back, the generation disposes its engines: an engine is only ever returned to the generation that made it.
/// </summary>
public sealed class ModelGeneration
{
    private static readonly DefaultObjectPoolProvider PoolProvider = new() { MaximumRetained = Environment.ProcessorCount * 4 };
    private readonly ObjectPool<DynamicPredictor>? _dynamic;
    private readonly Dictionary<Type, object> _typed = [];
    private int _references = 1;

    internal ModelGeneration(MLContext ml, ITransformer model, DataViewSchema inputSchema, InputBinding binding, ModelManifest manifest, ModelOrigin origin)
    {
        _ml = ml;
        _model = model;
        _inputSchema = inputSchema;
        _binding = binding;
        Manifest = manifest;
        Origin = origin;
        LoadedUtc = DateTimeOffset.UtcNow;
        ClassNames = [.. ClassesOf(manifest).Select(c => JsonEncodedText.Encode(c))];
        _dynamic = PoolProvider.Create(new FactoryPolicy<DynamicPredictor>(() => new DynamicPredictor(model, inputSchema, binding, manifest.Task)));
    }

    /// <summary>An imported ONNX model's version: ONNX Runtime answers every request; there is no ML.NET engine.</summary>
    internal ModelGeneration(OnnxModel onnx, ModelManifest manifest, ModelOrigin origin)
    {
        Onnx = onnx;
        Manifest = manifest;
        Origin = origin;
        LoadedUtc = DateTimeOffset.UtcNow;
        ClassNames = onnx.Classes;
        Engines = EngineChoice.OnnxOnly();
    }

    private readonly MLContext? _ml;
    private readonly ITransformer? _model;
    private readonly DataViewSchema? _inputSchema;
    private readonly InputBinding? _binding;

    /// <summary>The ONNX Runtime engine of an imported ONNX model (format onnx); null for an ML.NET model.</summary>
    public OnnxModel? Onnx { get; }

    public MLContext Ml => _ml ?? throw NotMLNet();

    public ITransformer Model => _model ?? throw NotMLNet();

    public DataViewSchema InputSchema => _inputSchema ?? throw NotMLNet();

    public InputBinding Binding => _binding ?? throw NotMLNet();

    public ModelManifest Manifest { get; }
    public ModelOrigin Origin { get; }
    public DateTimeOffset LoadedUtc { get; }
    public string Version => Manifest.Version;

    /// <summary>The class labels a model answers with, in its output order (a binary model without names: false, true).</summary>
    public static IReadOnlyList<string> ClassesOf(ModelManifest manifest) => Shared.Monitoring.FeedbackLabel.ClassesOf(manifest);

    /// <summary>Class labels in the model's output order, pre-encoded for the JSON answers.</summary>
    public JsonEncodedText[] ClassNames { get; }

    /// <summary>No engine is rented: only the slot holds it.</summary>
    internal bool IsIdle => Volatile.Read(ref _references) <= 1;

    /// <summary>True once the generation was swapped out and every engine came back.</summary>
    public bool IsDisposed => Volatile.Read(ref _references) == 0;

    /// <summary>Which engine answers one row and a batch, and why (chosen when the version loaded).</summary>
    public EngineChoice Engines { get; private set; } = EngineChoice.MLNetOnly("No engine was chosen.");

    /// <summary>ONNX Runtime on this version's model.onnx, when it answers batches.</summary>
    internal OnnxBatchScorer? BatchScorer { get; private set; }

    private int _onnxFromRows = int.MaxValue;

    internal void UseEngines(OnnxBatchScorer? scorer, EngineChoice choice)
    {
        BatchScorer = scorer;
        Engines = choice;
        _onnxFromRows = scorer is null ? int.MaxValue : choice.OnnxRuntimeFromRows ?? int.MaxValue;
    }

    /// <summary>Scores the rows a protocol read into <paramref name="engine"/>, with the engine chosen for that many rows.</summary>
    internal void Score(DynamicPredictor engine)
    {
        var rows = engine.Rows;
        if (BatchScorer is { } onnx && rows.Count >= _onnxFromRows)
        {
            onnx.ScoreRows(rows, engine.Outputs, ClassNames.Length);
        }
        else
        {
            engine.PredictRows(rows, engine.Outputs, ClassNames.Length);
        }
    }

    internal DynamicPredictor RentDynamic() => (_dynamic ?? throw NotMLNet()).Get();

    internal void ReturnDynamic(DynamicPredictor engine) => _dynamic!.Return(engine);

    private InvalidOperationException NotMLNet() =>
        new($"Model '{Manifest.Name}' version {Version} is an ONNX model served by ONNX Runtime; it has no ML.NET engine or transformer.");

    internal ObjectPool<TEngine> TypedPool<TEngine>(Func<ModelGeneration, TEngine> create)
        where TEngine : class
    {
        lock (_typed)
        {
            if (!_typed.TryGetValue(typeof(TEngine), out var pool))
            {
                pool = PoolProvider.Create(new FactoryPolicy<TEngine>(() => create(this)));
                _typed.Add(typeof(TEngine), pool);
            }

            return (ObjectPool<TEngine>)pool;
        }
    }

    /// <summary>Takes a reference unless the generation is already drained.</summary>
    internal bool TryAcquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Drops a reference; the last one disposes every engine of this generation.</summary>
    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            (_dynamic as IDisposable)?.Dispose();
            lock (_typed)
            {
                foreach (var pool in _typed.Values)
                {
                    (pool as IDisposable)?.Dispose();
                }

                _typed.Clear();
            }

            BatchScorer?.Dispose();
            Onnx?.Dispose();
            (_model as IDisposable)?.Dispose();
        }
    }

    private sealed class FactoryPolicy<T>(Func<T> create) : PooledObjectPolicy<T>
        where T : notnull
    {
        public override T Create() => create();

        public override bool Return(T obj) => true;
    }
}

/// <summary>Where a generation came from (store-relative, safe to show), the source's change token, the alias that named it, and model.zip's size.</summary>
public sealed record ModelOrigin(string Source, string? ETag, string? Alias = null, long Size = 0);
