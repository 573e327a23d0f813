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

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 5; i++)
        {
            responses.Add(await client.PostAsync("/models/house-prices/predict", ServingApp.Instances(body)));
        }

        responses.Count(r => r.StatusCode == HttpStatusCode.OK).Should().BeInRange(1, 3);
        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        limited.Should().NotBeEmpty();
        foreach (var response in limited)
        {
            response.Headers.RetryAfter!.Delta.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1)).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(2));
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        }

        (await client.GetAsync("/healthz/ready")).StatusCode.Should().Be(HttpStatusCode.OK, "health is not rate limited");
    }
}
