using System.Net;

namespace MLPipeline.Serving.Tests;

[Collection(ServingTestGroup.Name)]
public sealed class RateLimitTests(TrainedModelsFixture fixture)
{
    [Fact]
    public async Task Requests_over_the_rate_are_429_with_retry_after()
    {
        await using var app = new ServingApp(fixture.Models, new Dictionary<string, string?>
        {
            ["Serving:RateLimit:PermitsPerSecond"] = "1",
            ["Serving:RateLimit:Burst"] = "2",
        });
        var client = await app.ReadyClientAsync();
        var body = TrainedModels.Instance(fixture.Models.HousePricesMain);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await client.PostAsync("/models/house-prices/predict", ServingApp.Instances(body))).StatusCode);
        }

        statuses.Should().Contain(HttpStatusCode.TooManyRequests);
        statuses.Count(s => s == HttpStatusCode.OK).Should().BeInRange(1, 3);
        (await client.GetAsync("/healthz/ready")).StatusCode.Should().Be(HttpStatusCode.OK, "health is not rate limited");
    }
}
