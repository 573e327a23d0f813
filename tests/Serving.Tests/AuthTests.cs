using System.Net;
using System.Net.Http.Headers;

namespace MLPipeline.Serving.Tests;

/// <summary>With API keys configured, predict and admin routes need one; health and metrics stay open.</summary>
[Collection(ServingTestGroup.Name)]
public sealed class AuthTests(TrainedModelsFixture fixture, AuthTests.App shared) : IClassFixture<AuthTests.App>
{
    public sealed class App() : SharedServingApp(new Dictionary<string, string?>
    {
        ["Serving:ApiKeys:0"] = "another-key-that-is-long-enough",
        ["Serving:ApiKeys:1"] = ServingApp.ApiKey,
    });

    private readonly ServingApp _app = shared.App;


    private HttpContent Body() => ServingApp.Instances(TrainedModels.Instance(fixture.Models.HousePricesMain));

    [Theory]
    [InlineData("/models")]
    [InlineData("/models/house-prices")]
    [InlineData("/v2/models/house-prices")]
    public async Task Admin_routes_without_a_key_are_401(string path)
    {
        var client = _app.CreateClient();

        (await client.GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Predict_without_a_key_or_with_a_wrong_key_is_401()
    {
        var client = _app.CreateClient();
        (await client.PostAsync("/models/house-prices/predict", Body())).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        client.DefaultRequestHeaders.Add("X-Api-Key", ServingApp.ApiKey + "x");
        var wrong = await client.PostAsync("/models/house-prices/predict", Body());
        wrong.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        wrong.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task Predict_with_a_key_in_either_header_succeeds()
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ServingApp.ApiKey);
        (await client.PostAsync("/models/house-prices/predict", Body())).StatusCode.Should().Be(HttpStatusCode.OK);

        var other = _app.CreateClient();
        other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", "another-key-that-is-long-enough");
        (await other.PostAsync("/models/house-prices/predict", Body())).StatusCode.Should().Be(HttpStatusCode.OK);
        (await other.PostAsync("/v2/models/house-prices/infer", Body())).StatusCode.Should().NotBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("/healthz/live")]
    [InlineData("/healthz/ready")]
    [InlineData("/metrics")]
    [InlineData("/v2/health/live")]
    [InlineData("/v2/health/ready")]
    public async Task Health_and_metrics_stay_open(string path)
    {
        (await _app.CreateClient().GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
