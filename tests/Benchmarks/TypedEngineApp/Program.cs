using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using MLPipeline.Benchmarks.TypedEngineApp;

// What a developer would write by hand to serve house-prices without MLPipeline: typed input and output classes,
// System.Text.Json model binding, ML.NET PredictionEngines from a DefaultObjectPool, the same model.zip as the
// service. The throughput benchmark compares the service against this app, in the same run, started the same way.
var builder = WebApplication.CreateBuilder(args);
var modelPath = builder.Configuration["Model"] ?? throw new InvalidOperationException("Set Model to the path of model.zip.");
var modelName = builder.Configuration["ModelName"] ?? "house-prices";
var modelVersion = builder.Configuration["ModelVersion"] ?? "1";

var ml = new MLContext();
var model = ml.Model.Load(modelPath, out var inputSchema);
var engines = new DefaultObjectPool<PredictionEngine<HousePricesInput, RegressionOutput>>(
    new EnginePolicy(() => ml.Model.CreatePredictionEngine<HousePricesInput, RegressionOutput>(model, inputSchema)),
    Environment.ProcessorCount * 4);

var app = builder.Build();
app.MapPost("/predict", (TypedRequest request) =>
{
    var engine = engines.Get();
    try
    {
        var predictions = new List<TypedPrediction>(request.Instances.Count);
        foreach (var instance in request.Instances)
        {
            predictions.Add(new TypedPrediction(engine.Predict(instance).Score));
        }

        return TypedResults.Ok(new TypedResponse(modelName, modelVersion, predictions));
    }
    finally
    {
        engines.Return(engine);
    }
});

app.Run();

internal sealed class EnginePolicy(Func<PredictionEngine<HousePricesInput, RegressionOutput>> create)
    : PooledObjectPolicy<PredictionEngine<HousePricesInput, RegressionOutput>>
{
    public override PredictionEngine<HousePricesInput, RegressionOutput> Create() => create();

    public override bool Return(PredictionEngine<HousePricesInput, RegressionOutput> obj) => true;
}
