using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Serving.Monitoring;
using MLPipeline.Shared.Manifest;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests.Monitoring;

/// <summary>Feedback joined to monitored predictions gives the metrics ML.NET's evaluators give for the same rows.</summary>
[Collection(ServingTestGroup.Name)]
public sealed class FeedbackQualityTests(TrainedModelsFixture fixture)
{
    private TrainedModels Models => fixture.Models;

    [Theory]
    [InlineData(TrainedModels.HousePrices, "house-prices.csv")]
    [InlineData(TrainedModels.Cancer, "breast-cancer.csv")]
    [InlineData(TrainedModels.Iris, "iris.csv")]
    public async Task Live_quality_from_feedback_equals_MLNet_evaluating_the_same_rows(string model, string data)
    {
        var manifest = model switch
        {
            TrainedModels.HousePrices => Models.HousePricesMain,
            TrainedModels.Cancer => Models.CancerModel,
            _ => Models.IrisModel,
        };
        using var logs = new TempFolder("monitoring-feedback-");
        await using var app = MonitoringApp.Create(Models, logs.Path,
            ($"Serving:Monitoring:Models:{model}:LogPercent", "100"));
        var client = await app.ReadyClientAsync();
        var rows = CsvInstances.Read(data, manifest);

        // Predict in batches of 50, keep every row's id and answer.
        var answers = new List<(string Id, JsonElement Prediction, string Label)>();
        foreach (var chunk in rows.Chunk(50))
        {
            using var response = await client.PostAsync($"/models/{model}/predict", ServingApp.Instances([.. chunk.Select(r => (object)r.Instance)]));
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            var predictions = (await ServingApp.JsonAsync(response)).GetProperty("predictions").EnumerateArray().ToList();
            answers.AddRange(predictions.Select((p, i) => (p.GetProperty("id").GetString()!, p, chunk[i].Label)));
        }

        await Eventually.TrueAsync(() => app.Registry().Versions(model).SingleOrDefault()?.Logged == rows.Count, TimeSpan.FromSeconds(30), "every row to be monitored");

        // Feedback in two requests, plus ids nobody knows; a label that does not fit is refused per item.
        object Label(string text) => manifest.Task == ModelTask.Regression ? double.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : text;
        var items = answers.Select(a => new { id = a.Id, label = Label(a.Label) }).ToList<object>();
        items.Add(new { id = "never-predicted", label = Label(answers[0].Label) });
        var totals = new List<FeedbackResponse>();
        foreach (var half in items.Chunk((items.Count / 2) + 1))
        {
            using var response = await client.PostAsJsonAsync($"/models/{model}/feedback", new { items = half });
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            totals.Add((await response.Content.ReadFromJsonAsync<FeedbackResponse>())!);
        }

        totals.Sum(t => t.Joined).Should().Be(rows.Count);
        totals.Sum(t => t.Unknown).Should().Be(1);

        var report = await client.GetFromJsonAsync<JsonElement>($"/models/{model}/monitoring");
        var version = report.GetProperty("versions")[0];
        version.GetProperty("quality").GetProperty("windowRows").GetInt32().Should().Be(rows.Count);
        var live = version.GetProperty("quality").GetProperty("metrics").Deserialize<Dictionary<string, double>>()!;
        var expected = Offline(manifest, answers);
        live.Keys.Should().BeEquivalentTo(expected.Keys);
        foreach (var (metric, value) in expected)
        {
            live[metric].Should().BeApproximately(value, 1e-6, metric);
        }

        report.GetProperty("feedbackUnknown").GetInt64().Should().Be(1);
    }

    [Fact]
    public async Task A_version_loaded_on_demand_is_monitored_under_its_model_and_its_feedback_joins()
    {
        using var logs = new TempFolder("monitoring-on-demand-");
        await using var app = MonitoringApp.Create(Models, logs.Path, ("Serving:Monitoring:DefaultLogPercent", "100"));
        var client = await app.ReadyClientAsync();
        var other = Models.HousePricesOther.Version;
        app.Pool.Find(TrainedModels.HousePrices)!.Current!.Version.Should().NotBe(other, "the version asked for is not the one served");

        using var response = await client.PostAsync($"/models/{TrainedModels.HousePrices}/versions/{other}/predict", ServingApp.Instances(TrainedModels.Instance(Models.HousePricesOther)));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var id = (await ServingApp.JsonAsync(response)).GetProperty("predictions")[0].GetProperty("id").GetString()!;

        await Eventually.TrueAsync(() => app.Registry().Versions(TrainedModels.HousePrices).Any(v => v.Manifest.Version == other && v.Logged == 1), TimeSpan.FromSeconds(30), "the on-demand version's row to be monitored under its model");
        using var feedback = await client.PostAsJsonAsync($"/models/{TrainedModels.HousePrices}/feedback", new { items = new[] { new { id, label = 24.0 } } });
        feedback.StatusCode.Should().Be(HttpStatusCode.OK);
        (await feedback.Content.ReadFromJsonAsync<FeedbackResponse>())!.Joined.Should().Be(1);
    }

    /// <summary>ML.NET's evaluators on the served answers and the true labels.</summary>
    private static Dictionary<string, double> Offline(ModelManifest manifest, List<(string Id, JsonElement Prediction, string Label)> answers)
    {
        var ml = new MLContext(seed: 1);
        switch (manifest.Task)
        {
            case ModelTask.Regression:
                {
                    var view = ml.Data.LoadFromEnumerable(answers.Select(a => new RegressionRow
                    {
                        Label = float.Parse(a.Label, System.Globalization.CultureInfo.InvariantCulture),
                        Score = a.Prediction.GetProperty("score").GetSingle(),
                    }));
                    var m = ml.Regression.Evaluate(view);
                    return new() { ["MeanAbsoluteError"] = m.MeanAbsoluteError, ["RootMeanSquaredError"] = m.RootMeanSquaredError, ["RSquared"] = m.RSquared };
                }

            case ModelTask.Binary:
                {
                    var positive = manifest.Label.Classes![1];
                    var view = ml.Data.LoadFromEnumerable(answers.Select(a => new BinaryRow
                    {
                        Label = a.Label == positive,
                        Score = a.Prediction.GetProperty("score").GetSingle(),
                        Probability = a.Prediction.GetProperty("probability").GetSingle(),
                        PredictedLabel = a.Prediction.GetProperty("label").GetString() == positive,
                    }));
                    var m = ml.BinaryClassification.Evaluate(view);
                    return new() { ["Accuracy"] = m.Accuracy, ["AreaUnderRocCurve"] = m.AreaUnderRocCurve, ["LogLoss"] = m.LogLoss };
                }

            default:
                {
                    // Labels become keys in the manifest's class order, the order of the served scores.
                    var classes = manifest.Label.Classes!;
                    var schema = SchemaDefinition.Create(typeof(MulticlassRow));
                    schema[nameof(MulticlassRow.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, classes.Count);
                    var view = ml.Data.LoadFromEnumerable(answers.Select(a => new MulticlassRow
                    {
                        LabelText = a.Label,
                        Score = [.. classes.Select(c => a.Prediction.GetProperty("scores").GetProperty(c).GetSingle())],
                        PredictedText = a.Prediction.GetProperty("label").GetString()!,
                    }), schema);
                    var keys = ml.Data.LoadFromEnumerable(classes.Select(c => new ClassName { Value = c }));
                    var keyed = ml.Transforms.Conversion.MapValueToKey("Label", nameof(MulticlassRow.LabelText), keyData: keys)
                        .Append(ml.Transforms.Conversion.MapValueToKey("PredictedLabel", nameof(MulticlassRow.PredictedText), keyData: keys))
                        .Fit(view).Transform(view);
                    var m = ml.MulticlassClassification.Evaluate(keyed);
                    return new() { ["MicroAccuracy"] = m.MicroAccuracy, ["MacroAccuracy"] = m.MacroAccuracy };
                }
        }
    }

    private sealed class RegressionRow
    {
        public float Label { get; set; }
        public float Score { get; set; }
    }

    [Fact]
    public async Task Feedback_for_a_model_that_is_not_monitored_is_409_and_a_bad_body_or_id_is_400_naming_the_field()
    {
        using var logs = new TempFolder("monitoring-feedback-");
        await using var app = MonitoringApp.Create(Models, logs.Path, ($"Serving:Monitoring:Models:{TrainedModels.Iris}:LogPercent", "100"));
        var client = await app.ReadyClientAsync();

        async Task<JsonElement> Refused(string model, object body, HttpStatusCode status)
        {
            using var response = await client.PostAsJsonAsync($"/models/{model}/feedback", body);
            response.StatusCode.Should().Be(status);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
            return await ServingApp.JsonAsync(response);
        }

        var item = new { id = "order-1", label = 1.5 };
        (await Refused(TrainedModels.HousePrices, new { items = new[] { item } }, HttpStatusCode.Conflict))
            .GetProperty("detail").GetString().Should().Contain($"Serving:Monitoring:Models:{TrainedModels.HousePrices}:LogPercent");
        (await Refused(TrainedModels.Iris, new { items = new[] { new { id = "not an id!", label = "setosa" } } }, HttpStatusCode.BadRequest))
            .GetProperty("field").GetString().Should().Be("items[0].id");
        (await Refused(TrainedModels.Iris, new { rows = new[] { item } }, HttpStatusCode.BadRequest))
            .GetProperty("field").GetString().Should().Be("items");
        await Refused("no-such-model", new { items = new[] { item } }, HttpStatusCode.NotFound);
    }

    private sealed class BinaryRow
    {
        public bool Label { get; set; }
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }

    private sealed class MulticlassRow
    {
        public string LabelText { get; set; } = "";
        public float[] Score { get; set; } = [];
        public string PredictedText { get; set; } = "";
    }

    private sealed class ClassName
    {
        public string Value { get; set; } = "";
    }
}
