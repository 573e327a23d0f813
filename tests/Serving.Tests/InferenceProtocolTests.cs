using System.Net;
using System.Net.Http.Json;

namespace MLPipeline.Serving.Tests;

/// <summary>Open Inference Protocol v2: the routes a KServe client calls, and its error shape.</summary>
[Collection(ServingTestGroup.Name)]
public sealed class InferenceProtocolTests(TrainedModelsFixture fixture, InferenceProtocolTests.App shared) : IClassFixture<InferenceProtocolTests.App>
{
    public sealed class App() : SharedServingApp();

    private readonly HttpClient _client = shared.Client;


    private static object Iris(params float[][] rows) => new
    {
        id = "req-1",
        inputs = new[] { "sepal_length", "sepal_width", "petal_length", "petal_width" }
            .Select((name, c) => new { name, shape = new[] { rows.Length }, datatype = "FP32", data = rows.Select(r => r[c]).ToArray() }),
    };

    [Theory]
    [InlineData("/v2")]
    [InlineData("/v2/health/live")]
    [InlineData("/v2/health/ready")]
    [InlineData("/v2/models/iris/ready")]
    public async Task Server_and_model_state_routes_answer_200(string path)
    {
        (await _client.GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Model_metadata_lists_one_tensor_per_input_column_and_the_outputs()
    {
        var metadata = await ServingApp.JsonAsync(await _client.GetAsync("/v2/models/iris"));

        metadata.GetProperty("versions")[0].GetString().Should().Be(fixture.Models.IrisModel.Version);
        metadata.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("name").GetString()).Should().Equal("sepal_length", "sepal_width", "petal_length", "petal_width");
        metadata.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()).Should().Equal("label", "scores");
        (await _client.GetAsync($"/v2/models/iris/versions/{fixture.Models.IrisModel.Version}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Infer_answers_the_same_as_the_instances_route()
    {
        float[] setosa = [5.1f, 3.5f, 1.4f, 0.2f], virginica = [6.7f, 3.0f, 5.2f, 2.3f];
        var response = await _client.PostAsJsonAsync("/v2/models/iris/infer", Iris(setosa, virginica));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await ServingApp.JsonAsync(response);
        body.GetProperty("model_name").GetString().Should().Be("iris");
        body.GetProperty("model_version").GetString().Should().Be(fixture.Models.IrisModel.Version);
        body.GetProperty("id").GetString().Should().Be("req-1");
        var outputs = body.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        outputs["label"].GetProperty("data").EnumerateArray().Select(l => l.GetString()).Should().Equal("setosa", "virginica");
        outputs["scores"].GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).Should().Equal(2, 3);

        var instances = await ServingApp.JsonAsync(await _client.PostAsync("/models/iris/predict", ServingApp.Instances(
            new { sepal_length = 5.1f, sepal_width = 3.5f, petal_length = 1.4f, petal_width = 0.2f })));
        var classes = fixture.Models.IrisModel.Label.Classes!;
        outputs["scores"].GetProperty("data").EnumerateArray().Take(3).Select(s => s.GetSingle())
            .Should().Equal(classes.Select(c => instances.GetProperty("predictions")[0].GetProperty("scores").GetProperty(c).GetSingle()));
    }

    [Fact]
    public async Task Infer_on_a_text_column_takes_bytes()
    {
        var row = TrainedModels.Instance(fixture.Models.HousePricesMain);
        var request = new
        {
            inputs = row.Select(p => new
            {
                name = p.Key,
                shape = new[] { 1, 1 },
                datatype = p.Value is string ? "BYTES" : "FP32",
                data = new[] { p.Value },
            }),
        };

        var response = await _client.PostAsJsonAsync("/v2/models/house-prices/infer", request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.GetValues("X-Model-Version").Should().Equal(fixture.Models.HousePricesMain.Version);
    }

    [Theory]
    [InlineData("""{"inputs": [{"name": "sepal_length", "shape": [1], "datatype": "FP32", "data": [1]}]}""", 400, "sepal_width")]
    [InlineData("""{"inputs": [{"name": "nope", "shape": [1], "datatype": "FP32", "data": [1]}]}""", 400, "nope")]
    [InlineData("""{"inputs": [{"name": "sepal_length", "shape": [1], "datatype": "BYTES", "data": ["a"]}]}""", 400, "datatype")]
    [InlineData("""{"inputs": [{"name": "sepal_length", "shape": [2], "datatype": "FP32", "data": [1]}]}""", 400, "shape")]
    [InlineData("""{"inputs": [{"name": "sepal_length", "shape": [1], "datatype": "FP32", "data": [1e39]}, {"name": "sepal_width", "shape": [1], "datatype": "FP32", "data": [1]}, {"name": "petal_length", "shape": [1], "datatype": "FP32", "data": [1]}, {"name": "petal_width", "shape": [1], "datatype": "FP32", "data": [1]}]}""", 400, "out of range")]
    [InlineData("""{"inputs": [{"name": "sepal_length", "shape": [1], "datatype": "FP32", "data": [1], "data": [2]}]}""", 400, "twice")]
    [InlineData("""{"nothing": 1}""", 400, "inputs")]
    [InlineData("""{"inputs": [""", 400, "JSON")]
    public async Task Infer_errors_are_the_protocols_error_object(string body, int status, string mentions)
    {
        var response = await _client.PostAsync("/v2/models/iris/infer", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        ((int)response.StatusCode).Should().Be(status);
        (await ServingApp.JsonAsync(response)).GetProperty("error").GetString().Should().Contain(mentions);
    }

    [Fact]
    public async Task Unknown_model_is_404_with_an_error_object()
    {
        var response = await _client.PostAsJsonAsync("/v2/models/nope/infer", Iris([1, 2, 3, 4]));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await ServingApp.JsonAsync(response)).GetProperty("error").GetString().Should().Contain("nope");
        (await _client.GetAsync("/v2/models/nope/ready")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
