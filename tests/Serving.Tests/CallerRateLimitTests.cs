using System.Net;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// The per-caller limit is keyed on the identity a scheme verified, never on a header a client merely sent: rotating
/// bogus keys neither pass nor get buckets of their own, and each key id has its own budget.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class CallerRateLimitTests(TrainedModelsFixture fixture)
{
    private static readonly string[] Keys = ["caller-a-0123456789", "caller-b-0123456789", "caller-c-0123456789"];

    /// <summary>One request per second per caller, bucket of one, no model to load (GET /models answers at once).</summary>
    private ServingApp App(bool withKeys)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Serving:Store"] = SecurityTestSupport.EmptyStore(),
            ["Serving:RateLimit:PermitsPerSecond"] = "1",
        };
        for (var i = 0; withKeys && i < Keys.Length; i++)
        {
            settings[$"Serving:ApiKeys:{i}:Id"] = "caller-" + (char)('a' + i);
            settings[$"Serving:ApiKeys:{i}:Key"] = Keys[i];
            settings[$"Serving:ApiKeys:{i}:Role"] = i == 2 ? "admin" : "predict";
        }

        return new ServingApp(fixture.Models, settings);
    }

    private static string BogusKey() => "bogus-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Rotating_bogus_keys_are_401_and_leave_the_real_keys_budget_alone()
    {
        await using var app = App(withKeys: true);

        for (var i = 0; i < 20; i++)
        {
            (await app.WithKey(BogusKey()).GetAsync("/models")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "an unknown key never passes, however often it changes");
        }

        var caller = app.WithKey(Keys[0]);
        (await caller.GetAsync("/models")).StatusCode.Should().Be(HttpStatusCode.OK, "the bogus requests spent nothing of the real key's budget");
        var limited = await caller.GetAsync("/models");
        limited.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        limited.Headers.RetryAfter!.Delta.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Without_auth_a_fresh_key_header_per_request_does_not_buy_a_fresh_bucket()
    {
        await using var app = App(withKeys: false);

        (await app.WithKey(BogusKey()).GetAsync("/models")).StatusCode.Should().Be(HttpStatusCode.OK);
        for (var i = 0; i < 5; i++)
        {
            (await app.WithKey(BogusKey()).GetAsync("/models")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the client address is the partition, not an unverified header");
        }
    }

    [Fact]
    public async Task Each_key_id_has_its_own_budget()
    {
        await using var app = App(withKeys: true);
        var clients = Keys.Select(app.WithKey).ToList();

        foreach (var client in clients)
        {
            (await client.GetAsync("/models")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        foreach (var client in clients)
        {
            (await client.GetAsync("/models")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        }

        var metrics = await (await app.CreateClient().GetAsync("/metrics")).Content.ReadAsStringAsync();
        metrics.Should().Contain("mlpipeline_requests_rejected_total{reason=\"rate_limited\"} 3");
    }
}
