using System.Net;
using System.Net.Http.Json;

namespace MLPipeline.Serving.Tests;

[Collection(ServingTestGroup.Name)]
public sealed class PredictRoutesTests(TrainedModelsFixture fixture, PredictRoutesTests.App shared) : IClassFixture<PredictRoutesTests.App>
{
    public sealed class App() : SharedServingApp();

    private readonly ServingApp _app = shared.App;
    private readonly HttpClient _client = shared.Client;

    private TrainedModels Models => fixture.Models;


    [Fact]
    public async Task With_no_settings_every_store_model_is_served_at_its_production_alias_else_its_newest_version()
    {
        var models = await ServingApp.JsonAsync(await _client.GetAsync("/models"));
        var byName = models.EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("version").GetString());
        byName.Should().BeEquivalentTo(new Dictionary<string, string?>
        {
            [TrainedModels.HousePrices] = Models.HousePricesMain.Version,
            [TrainedModels.Cancer] = Models.CancerModel.Version,
            [TrainedModels.Iris] = Models.IrisModel.Version,
        });
        var aliases = models.EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("alias").GetString());
        aliases[TrainedModels.HousePrices].Should().Be("production");
        aliases[TrainedModels.Cancer].Should().BeNull("the cancer model has no production alias: its newest version is served");
    }

    [Fact]
    public async Task Regression_predict_answers_a_score_and_names_the_version_in_body_and_header()
    {
        var row = TrainedModels.Instance(Models.HousePricesMain);
        var response = await _client.PostAsync("/models/house-prices/predict", ServingApp.Instances(row, row));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.GetValues("X-Model-Version").Should().Equal(Models.HousePricesMain.Version);
        var body = await ServingApp.JsonAsync(response);
        body.GetProperty("model").GetString().Should().Be("house-prices");
        body.GetProperty("version").GetString().Should().Be(Models.HousePricesMain.Version);
        var predictions = body.GetProperty("predictions").EnumerateArray().ToList();
        predictions.Should().HaveCount(2);
        predictions[0].GetProperty("score").GetSingle().Should().BeInRange(5, 60);
        predictions[1].GetProperty("score").GetSingle().Should().Be(predictions[0].GetProperty("score").GetSingle());
    }

    [Fact]
    public async Task Binary_predict_answers_label_probability_and_score()
    {
        var response = await _client.PostAsync("/models/cancer/predict", ServingApp.Instances(TrainedModels.Instance(Models.CancerModel)));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var prediction = (await ServingApp.JsonAsync(response)).GetProperty("predictions")[0];
        Models.CancerModel.Label.Classes.Should().Contain(prediction.GetProperty("label").GetString());
        prediction.GetProperty("probability").GetSingle().Should().BeInRange(0, 1);
        prediction.TryGetProperty("score", out _).Should().BeTrue();
    }

    [Fact]
    public async Task Multiclass_predict_answers_a_label_and_a_probability_per_class()
    {
        var setosa = new { sepal_length = 5.1, sepal_width = 3.5, petal_length = 1.4, petal_width = 0.2 };
        var response = await _client.PostAsync("/models/iris/predict", ServingApp.Instances(setosa));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var prediction = (await ServingApp.JsonAsync(response)).GetProperty("predictions")[0];
        prediction.GetProperty("label").GetString().Should().Be("setosa");
        var scores = prediction.GetProperty("scores").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetSingle());
        scores.Keys.Should().BeEquivalentTo(Models.IrisModel.Label.Classes);
        scores.Values.Sum().Should().BeApproximately(1, 1e-3f);
        scores.MaxBy(p => p.Value).Key.Should().Be("setosa");
    }

    [Fact]
    public async Task Version_route_serves_another_version_loaded_on_demand()
    {
        var row = TrainedModels.Instance(Models.HousePricesMain);
        var main = await ServingApp.JsonAsync(await _client.PostAsync("/models/house-prices/predict", ServingApp.Instances(row)));
        var other = await _client.PostAsync($"/models/house-prices/versions/{Models.HousePricesOther.Version}/predict", ServingApp.Instances(row));

        other.StatusCode.Should().Be(HttpStatusCode.OK);
        other.Headers.GetValues("X-Model-Version").Should().Equal(Models.HousePricesOther.Version);
        var otherBody = await ServingApp.JsonAsync(other);
        otherBody.GetProperty("version").GetString().Should().Be(Models.HousePricesOther.Version);
        otherBody.GetProperty("predictions")[0].GetProperty("score").GetSingle()
            .Should().NotBe(main.GetProperty("predictions")[0].GetProperty("score").GetSingle(), "the two versions are different models");
    }

    [Fact]
    public async Task Alias_route_follows_the_alias_in_the_store()
    {
        var row = TrainedModels.Instance(Models.HousePricesMain);
        var canary = await _client.PostAsync("/models/house-prices/aliases/canary/predict", ServingApp.Instances(row));
        var production = await _client.PostAsync("/models/house-prices/aliases/production/predict", ServingApp.Instances(row));

        canary.Headers.GetValues("X-Model-Version").Should().Equal(Models.HousePricesOther.Version);
        production.Headers.GetValues("X-Model-Version").Should().Equal(Models.HousePricesMain.Version);
    }

    [Fact]
    public async Task Unknown_version_and_alias_are_404_naming_the_field()
    {
        var row = TrainedModels.Instance(Models.HousePricesMain);
        var version = await _client.PostAsync("/models/house-prices/versions/does-not-exist/predict", ServingApp.Instances(row));
        var alias = await _client.PostAsync("/models/house-prices/aliases/nope/predict", ServingApp.Instances(row));

        version.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await ServingApp.JsonAsync(version)).GetProperty("field").GetString().Should().Be("version");
        alias.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await ServingApp.JsonAsync(alias)).GetProperty("field").GetString().Should().Be("alias");
    }

    [Fact]
    public async Task Categorical_values_may_be_sent_as_json_numbers_or_strings_with_the_same_answer()
    {
        var row = TrainedModels.Instance(Models.HousePricesMain);
        var asNumber = new Dictionary<string, object?>(row) { ["CHAS"] = 0 };
        var asString = new Dictionary<string, object?>(row) { ["CHAS"] = "0" };
        var body = await ServingApp.JsonAsync(await _client.PostAsync("/models/house-prices/predict", ServingApp.Instances(asNumber, asString)));

        body.GetProperty("predictions")[0].GetProperty("score").GetSingle().Should().Be(body.GetProperty("predictions")[1].GetProperty("score").GetSingle());
    }

    [Fact]
    public async Task Null_is_a_missing_value_and_still_predicts()
    {
        var row = new Dictionary<string, object?>(TrainedModels.Instance(Models.HousePricesMain)) { ["LSTAT"] = null };
        var response = await _client.PostAsync("/models/house-prices/predict", ServingApp.Instances(row));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ServingApp.JsonAsync(response)).GetProperty("predictions")[0].GetProperty("score").GetSingle().Should().BeInRange(-100, 200);
    }

    [Fact]
    public async Task Reload_swaps_in_a_fresh_generation_and_disposes_the_old_one_when_drained()
    {
        var slot = _app.Pool.Find(TrainedModels.HousePrices)!;
        var before = slot.Current!;

        var response = await _client.PostAsync("/models/house-prices/reload", SecurityTestSupport.EmptyJson());

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        slot.Current.Should().NotBeSameAs(before);
        before.IsDisposed.Should().BeTrue("no engine of the old generation was rented");
        (await _client.PostAsync("/models/house-prices/predict", ServingApp.Instances(TrainedModels.Instance(Models.HousePricesMain))))
            .StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Models_detail_shows_schema_metrics_source_and_status()
    {
        var detail = await ServingApp.JsonAsync(await _client.GetAsync("/models/house-prices"));

        detail.GetProperty("model").GetProperty("status").GetString().Should().Be("ready");
        detail.GetProperty("model").GetProperty("alias").GetString().Should().Be("production");
        detail.GetProperty("model").GetProperty("eTag").GetString().Should().NotBeNullOrEmpty();
        detail.GetProperty("inputs").GetArrayLength().Should().Be(Models.HousePricesMain.Inputs.Count);
        detail.GetProperty("metrics").GetProperty("mainMetric").GetString().Should().Be("RSquared");
        (await _client.GetAsync("/models/nope")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Health_metrics_and_openapi_answer()
    {
        (await _client.GetAsync("/healthz/live")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _client.GetAsync("/healthz/ready")).StatusCode.Should().Be(HttpStatusCode.OK);
        await _client.PostAsync("/models/iris/predict", ServingApp.Instances(new { sepal_length = 5.1, sepal_width = 3.5, petal_length = 1.4, petal_width = 0.2 }));
        await _client.PostAsync("/models/iris/predict", ServingApp.Instances(new { sepal_length = "x" }));

        var metrics = await _client.GetStringAsync("/metrics");
        metrics.Should().Contain($"mlpipeline_predict_requests_total{{model=\"iris\",version=\"{Models.IrisModel.Version}\",protocol=\"instances\"}}")
            .And.Contain("mlpipeline_predict_errors_total{model=\"iris\",status=\"400\"}")
            .And.Contain("mlpipeline_predict_duration_seconds_bucket{model=\"iris\"")
            .And.Contain("mlpipeline_model_loads_total{model=\"iris\"}")
            .And.Contain($"mlpipeline_model_served{{model=\"house-prices\",version=\"{Models.HousePricesMain.Version}\"}} 1");

        var openApi = await _client.GetStringAsync("/openapi/v1.json");
        openApi.Should().Contain("/models/{name}/predict").And.Contain("/v2/models/{name}/infer");
        (await _client.GetAsync("/scalar/v1")).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
