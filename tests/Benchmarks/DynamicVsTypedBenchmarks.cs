using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.ML;
using MLPipeline.Benchmarks.TypedEngineApp;
using MLPipeline.Serving.Dynamic;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Protocols;
using MLPipeline.Serving.Sources;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Benchmarks;

/// <summary>
/// Benchmark 1: per-prediction cost of the dynamic pool against ML.NET's typed PredictionEngine on the same model.
/// Two pairs: the engines alone (values already in memory), and the whole JSON-in/JSON-out step a server does
/// (typed: System.Text.Json into classes and back; dynamic: Utf8JsonReader into the reusable row and Utf8JsonWriter out).
/// </summary>
[MemoryDiagnoser]
public class DynamicVsTypedBenchmarks
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private PredictionEngine<HousePricesInput, RegressionOutput> _typed = null!;
    private PredictionEnginePool _pool = null!;
    private HousePricesInput _input = null!;
    private float[] _numbers = null!;
    private string _category = "";
    private byte[] _body = null!;
    private ModelManifest _manifest = null!;
    private DynamicLease _held;
    private PredictionEnginePool _mlnetPool = null!;
    private byte[] _batchBody = null!;
    private List<HousePricesInput> _batchInputs = null!;

    [GlobalSetup]
    public void Setup()
    {
        _manifest = BenchmarkModel.Manifest();
        var path = BenchmarkModel.ModelPath(_manifest);
        var ml = new MLContext();
        var model = ml.Model.Load(path, out var schema);
        _typed = ml.Model.CreatePredictionEngine<HousePricesInput, RegressionOutput>(model, schema);
        _body = BenchmarkModel.SingleRowBody(_manifest);
        _input = JsonSerializer.Deserialize<TypedRequest>(_body, Web)!.Instances[0];
        _pool = new PredictionEnginePool();
        _pool.Register(BenchmarkModel.Name, new FileModelSource(path));
        _pool.LoadAsync(BenchmarkModel.Name).GetAwaiter().GetResult();
        using var lease = _pool.Rent(BenchmarkModel.Name);
        _numbers = [.. lease.Engine.Binding.Columns.Select(c => c.IsText ? 0f : float.Parse(_manifest.SampleInput[c.Name]!, System.Globalization.CultureInfo.InvariantCulture))];
        _category = _manifest.SampleInput["CHAS"]!;
        _held = _pool.Rent(BenchmarkModel.Name);

        _batchBody = BenchmarkModel.BatchBody(_manifest, ThroughputComparison.BatchRows);
        _batchInputs = JsonSerializer.Deserialize<TypedRequest>(_batchBody, Web)!.Instances;
        _mlnetPool = new PredictionEnginePool(batchEngine: BatchEngineChoice.MLNet);
        _mlnetPool.Register(BenchmarkModel.Name, new FileModelSource(path));
        _mlnetPool.LoadAsync(BenchmarkModel.Name).GetAwaiter().GetResult();
    }

    /// <summary>Which engine the dynamic pool chose for batches when it loaded the model (GET /models/{name} says the same).</summary>
    public string BatchEngines
    {
        get
        {
            using var lease = _pool.Rent(BenchmarkModel.Name);
            return lease.Generation.Engines.ToString();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _typed.Dispose();
        _held.Dispose();
        _pool.Dispose();
        _mlnetPool.Dispose();
    }

    [Benchmark(Baseline = true, Description = "typed PredictionEngine.Predict")]
    public float TypedEngine() => _typed.Predict(_input).Score;

    [Benchmark(Description = "dynamic pool: rent, set row, predict, return")]
    public float DynamicEngine()
    {
        using var lease = _pool.Rent(BenchmarkModel.Name);
        return PredictRow(lease.Engine);
    }

    [Benchmark(Description = "dynamic engine alone (no rent): set row, predict")]
    public float DynamicEngineHeld() => PredictRow(_held.Engine);

    private float PredictRow(DynamicPredictor engine)
    {
        engine.BeginInstance();
        var columns = engine.Binding.Columns;
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i].IsText)
            {
                engine.SetText(i, _category);
            }
            else
            {
                engine.SetNumber(i, _numbers[i]);
            }
        }

        engine.Predict();
        return engine.Score;
    }

    [Benchmark(Description = "typed JSON: deserialize, predict, serialize")]
    public int TypedJson()
    {
        var request = JsonSerializer.Deserialize<TypedRequest>(_body, Web)!;
        var predictions = request.Instances.Select(i => new TypedPrediction(_typed.Predict(i).Score)).ToList();
        return JsonSerializer.SerializeToUtf8Bytes(new TypedResponse(_manifest.Name, _manifest.Version, predictions), Web).Length;
    }

    [Benchmark(Description = "dynamic JSON: Utf8JsonReader in, predict, Utf8JsonWriter out")]
    public int DynamicJson() => Answer(_pool, _body);

    [Benchmark(Description = "typed PredictionEngine.Predict, 100 rows one after the other")]
    public float TypedEngineBatch()
    {
        var sum = 0f;
        foreach (var input in _batchInputs)
        {
            sum += _typed.Predict(input).Score;
        }

        return sum;
    }

    [Benchmark(Description = "service, 100-row body to answer, engine chosen at load")]
    public int ServiceBatch() => Answer(_pool, _batchBody);

    [Benchmark(Description = "service, 100-row body to answer, ML.NET only")]
    public int ServiceBatchMLNet() => Answer(_mlnetPool, _batchBody);

    /// <summary>The predict route's whole work on a body, as the pipeline does it: rent, parse, score, write, return.</summary>
    private static int Answer(PredictionEnginePool pool, byte[] body)
    {
        using var lease = pool.Rent(BenchmarkModel.Name);
        var output = lease.Engine.StartOutput();
        InstancesProtocol.Instance.Run(body, lease, BenchmarkModel.Name, "bench", 1000, output);
        output.Flush();
        return lease.Engine.OutputBuffer.WrittenCount;
    }
}
