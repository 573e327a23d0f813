using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace MLPipeline.Serving.Tests;

/// <summary>Every refusal is problem details with the right status and the offending field; no input makes a 500.</summary>
[Collection(ServingTestGroup.Name)]
public sealed class ErrorTests(TrainedModelsFixture fixture, ErrorTests.App shared) : IClassFixture<ErrorTests.App>
{
    public sealed class App() : SharedServingApp(new Dictionary<string, string?>
    {
        ["Serving:Limits:MaxBatchSize"] = "3",
        ["Serving:Limits:MaxBodyBytes"] = "4096",
    });

    private readonly HttpClient _client = shared.Client;


    private Dictionary<string, object?> Row() => TrainedModels.Instance(fixture.Models.HousePricesMain);

    private Task<HttpResponseMessage> PostRaw(string path, string body) =>
        _client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

    public static TheoryData<string, HttpStatusCode, string> BadBodies => new()
    {
        { "{\"instances\": [", HttpStatusCode.BadRequest, "$" },
        { "not json", HttpStatusCode.BadRequest, "$" },
        { "[]", HttpStatusCode.BadRequest, "$" },
        { "{}", HttpStatusCode.BadRequest, "instances" },
        { "{\"instances\": {}}", HttpStatusCode.BadRequest, "instances" },
        { "{\"instances\": []}", HttpStatusCode.BadRequest, "instances" },
        { "{\"instances\": [1]}", HttpStatusCode.BadRequest, "instances[0]" },
        { "{\"instances\": [{\"CRIM\": 1}]}", HttpStatusCode.BadRequest, "instances[0].ZN" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Malformed_bodies_are_400_naming_the_field(string body, HttpStatusCode status, string field)
    {
        var response = await PostRaw("/models/house-prices/predict", body);

        response.StatusCode.Should().Be(status);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await ServingApp.JsonAsync(response)).GetProperty("field").GetString().Should().Be(field);
    }

    [Theory]
    [InlineData("LSTAT", "\"abc\"", "must be a number")]
    [InlineData("LSTAT", "\"NaN\"", "NaN and infinities are not allowed")]
    [InlineData("LSTAT", "\"-Infinity\"", "NaN and infinities are not allowed")]
    [InlineData("LSTAT", "1e39", "out of range")]
    [InlineData("LSTAT", "true", "must be a number")]
    [InlineData("LSTAT", "[1]", "must be a number")]
    [InlineData("CHAS", "{}", "must be a string")]
    public async Task Wrong_types_and_non_finite_numbers_are_400_naming_the_column(string column, string json, string message)
    {
        var row = Row();
        row.Remove(column);
        var fields = string.Join(", ", row.Select(p => $"\"{p.Key}\": {System.Text.Json.JsonSerializer.Serialize(p.Value)}"));
        var response = await PostRaw("/models/house-prices/predict", $"{{\"instances\": [{{{fields}, \"{column}\": {json}}}]}}");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await ServingApp.JsonAsync(response);
        problem.GetProperty("field").GetString().Should().Be($"instances[0].{column}");
        problem.GetProperty("detail").GetString().Should().Contain(message);
    }

    [Theory]
    [InlineData("CRIM", "5")]
    [InlineData("CHAS", "\"1\"")]
    public async Task A_column_sent_twice_in_one_instance_is_400_naming_it(string column, string json)
    {
        var fields = string.Join(", ", Row().Select(p => $"\"{p.Key}\": {System.Text.Json.JsonSerializer.Serialize(p.Value)}"));
        var response = await PostRaw("/models/house-prices/predict", $"{{\"instances\": [{{{fields}}}, {{{fields}, \"{column}\": {json}}}]}}");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await ServingApp.JsonAsync(response);
        problem.GetProperty("field").GetString().Should().Be($"instances[1].{column}");
        problem.GetProperty("detail").GetString().Should().Contain("appears twice");
    }

    [Fact]
    public async Task More_instances_than_the_batch_limit_is_400()
    {
        var response = await _client.PostAsync("/models/house-prices/predict", ServingApp.Instances(Row(), Row(), Row(), Row()));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await ServingApp.JsonAsync(response);
        problem.GetProperty("field").GetString().Should().Be("instances");
        problem.GetProperty("detail").GetString().Should().Contain("more than 3");
    }

    [Fact]
    public async Task Trailing_garbage_after_a_valid_body_is_400()
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new { instances = new[] { Row() } }) + " trailing";

        var response = await PostRaw("/models/house-prices/predict", body);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ServingApp.JsonAsync(response)).GetProperty("title").GetString().Should().Be("Malformed JSON");
    }

    [Theory]
    [InlineData("/models/house-prices/predict")]
    [InlineData("/v2/models/house-prices/infer")]
    public async Task Invalid_utf8_is_400(string path)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes("{\"instances\": [{\"CHAS\": \"\u0001\", \"x\": 1}]}");
        bytes[Array.IndexOf(bytes, (byte)1)] = 0xFF;
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await _client.PostAsync(path, content);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("UTF-8");
    }

    [Fact]
    public async Task Unknown_model_is_404()
    {
        var response = await _client.PostAsync("/models/no-such-model/predict", ServingApp.Instances(Row()));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await ServingApp.JsonAsync(response)).GetProperty("field").GetString().Should().Be("name");
    }

    [Fact]
    public async Task Body_over_the_limit_is_413()
    {
        var response = await PostRaw("/models/house-prices/predict", "{\"instances\": [" + new string(' ', 5000) + "]}");

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        await ShouldBeProblemAsync(response, 413);
    }

    [Fact]
    public async Task Body_over_the_limit_without_content_length_is_413()
    {
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"instances\": [" + new string(' ', 5000) + "]}")));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/models/house-prices/predict") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await _client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        await ShouldBeProblemAsync(response, 413);
    }

    [Fact]
    public async Task Non_json_content_type_is_415()
    {
        var response = await _client.PostAsync("/models/house-prices/predict", new StringContent("{}", Encoding.UTF8, "text/plain"));

        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        await ShouldBeProblemAsync(response, 415);
    }

    [Fact]
    public async Task Model_not_loaded_yet_is_503()
    {
        await using var app = new ServingApp(fixture.Models, new Dictionary<string, string?>
        {
            ["Serving:Sources:0:Name"] = "missing",
            ["Serving:Sources:0:Path"] = Path.Combine(fixture.Models.StoreDirectory, "nowhere", "model.zip"),
        });
        var client = app.CreateClient();

        var response = await client.PostAsync("/models/missing/predict", ServingApp.Instances(Row()));
        var ready = await client.GetAsync("/healthz/ready");

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await ShouldBeProblemAsync(response, 503)).GetProperty("detail").GetString().Should().Contain("no version loaded yet");
        ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
    }

    private static async Task<System.Text.Json.JsonElement> ShouldBeProblemAsync(HttpResponseMessage response, int status)
    {
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await ServingApp.JsonAsync(response);
        problem.GetProperty("status").GetInt32().Should().Be(status);
        problem.GetProperty("title").GetString().Should().NotBeNullOrEmpty();
        return problem;
    }
}
