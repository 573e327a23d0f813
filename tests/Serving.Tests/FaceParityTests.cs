using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Serving.Pool;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests;

/// <summary>The typed face and the dynamic face (over HTTP) give exactly what ML.NET's own PredictionEngine gives.</summary>
[Collection(ServingTestGroup.Name)]
public sealed class FaceParityTests(TrainedModelsFixture fixture, FaceParityTests.App shared) : IClassFixture<FaceParityTests.App>
{
    public sealed class App() : SharedServingApp();

    private readonly HttpClient _client = shared.Client;

    private TrainedModels Models => fixture.Models;


    [Fact]
    public async Task Regression_typed_and_dynamic_faces_equal_the_ml_net_prediction_engine_on_every_row()
    {
        var rows = CsvRows.Read("house-prices.csv");
        var path = Models.ModelPath(Models.HousePricesMain);
        var ml = new MLContext();
        var model = ml.Model.Load(path, out var schema);
        var reference = ml.Model.CreatePredictionEngine<HousePricesInput, RegressionOutput>(model, schema);
        var expected = rows.Select(r => reference.Predict(CsvRows.House(r)).Score).ToList();

        using var services = new ServiceCollection().AddLogging()
            .AddPredictionEnginePool<HousePricesInput, RegressionOutput>().FromFile("hp", path).Services
            .BuildServiceProvider();
        await services.GetRequiredService<PredictionEnginePool>().LoadAsync("hp");
        var typed = services.GetRequiredService<PredictionEnginePool<HousePricesInput, RegressionOutput>>();
        rows.Select(r => typed.Predict("hp", CsvRows.House(r)).Score).Should().Equal(expected);

        var dynamic = new List<float>();
        foreach (var chunk in rows.Chunk(250))
        {
            var response = await _client.PostAsync("/models/house-prices/predict",
                ServingApp.Instances([.. chunk.Select(r => CsvRows.Instance(r, ["CHAS"], "MEDV"))]));
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            dynamic.AddRange((await ServingApp.JsonAsync(response)).GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("score").GetSingle()));
        }

        dynamic.Should().Equal(expected);
    }

    [Fact]
    public async Task Multiclass_typed_and_dynamic_faces_equal_the_ml_net_prediction_engine_on_every_row()
    {
        var rows = CsvRows.Read("iris.csv");
        var path = Models.ModelPath(Models.IrisModel);
        var ml = new MLContext();
        var model = ml.Model.Load(path, out var schema);
        var reference = ml.Model.CreatePredictionEngine<IrisInput, MulticlassOutput>(model, schema);
        var expected = rows.Select(r => reference.Predict(CsvRows.Iris(r))).Select(o => (o.PredictedLabel, Scores: o.Score.ToArray())).ToList();

        using var services = new ServiceCollection().AddLogging()
            .AddPredictionEnginePool<IrisInput, MulticlassOutput>().FromStore("iris", Models.StoreDirectory, "latest-does-not-exist").Services
            .AddPredictionEnginePool<IrisInput, MulticlassOutput>().FromFile("iris-file", path).Services
            .BuildServiceProvider();
        var pool = services.GetRequiredService<PredictionEnginePool>();
        await pool.LoadAsync("iris-file");
        var typed = services.GetRequiredService<PredictionEnginePool<IrisInput, MulticlassOutput>>();
        var typedResults = rows.Select(r => typed.Predict("iris-file", CsvRows.Iris(r))).ToList();
        typedResults.Select(o => o.PredictedLabel).Should().Equal(expected.Select(e => e.PredictedLabel));
        typedResults.SelectMany(o => o.Score).Should().Equal(expected.SelectMany(e => e.Scores));

        // FromStore follows an alias strictly: a missing alias is a load failure, not another version.
        var act = () => pool.LoadAsync("iris");
        await act.Should().ThrowAsync<MLPipeline.Serving.Sources.ModelSourceException>().WithMessage("*latest-does-not-exist*");

        var response = await _client.PostAsync("/models/iris/predict",
            ServingApp.Instances([.. rows.Select(r => CsvRows.Instance(r, [], "species"))]));
        var predictions = (await ServingApp.JsonAsync(response)).GetProperty("predictions").EnumerateArray().ToList();
        predictions.Select(p => p.GetProperty("label").GetString()).Should().Equal(expected.Select(e => e.PredictedLabel));
        var classes = Models.IrisModel.Label.Classes!;
        predictions.SelectMany(p => classes.Select(c => p.GetProperty("scores").GetProperty(c).GetSingle()))
            .Should().Equal(expected.SelectMany(e => e.Scores));
    }

    [Fact]
    public async Task Binary_dynamic_face_equals_ml_net_scoring_on_every_row()
    {
        var rows = CsvRows.Read("breast-cancer.csv");
        var ml = new MLContext();
        var model = ml.Model.Load(Models.ModelPath(Models.CancerModel), out var schema);
        var header = File.ReadLines(RepositoryRoot.Data("breast-cancer.csv")).First().Split(',').ToList();
        var loader = ml.Data.CreateTextLoader(
            [.. schema.Select(c => new TextLoader.Column(c.Name, DataKind.Single, header.IndexOf(c.Name)))],
            separatorChar: ',', hasHeader: true);
        var scored = model.Transform(loader.Load(RepositoryRoot.Data("breast-cancer.csv")));
        var expected = scored.GetColumn<float>("Probability").ToList();
        var labels = scored.GetColumn<bool>("PredictedLabel").ToList();

        var response = await _client.PostAsync("/models/cancer/predict",
            ServingApp.Instances([.. rows.Take(500).Select(r => CsvRows.Instance(r, [], "malignant"))]));
        var predictions = (await ServingApp.JsonAsync(response)).GetProperty("predictions").EnumerateArray().ToList();

        predictions.Select(p => p.GetProperty("probability").GetSingle()).Should().Equal(expected.Take(500));
        predictions.Select(p => p.GetProperty("label").GetString())
            .Should().Equal(labels.Take(500).Select(l => Models.CancerModel.Label.Classes![l ? 1 : 0]));
    }
}
