using System.Net;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// Many clients behind one proxy address (auth off, one request per second per client): X-Forwarded-For is believed
/// only from a configured proxy or network, and only its last entry (the one the proxy appended).
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class ForwardedHeadersTests(TrainedModelsFixture fixture)
{
    private static readonly string[] Clients = ["203.0.113.1", "203.0.113.2", "203.0.113.3"];

    private async Task<List<HttpStatusCode>> FirstRequestOfEachClientAsync(string? setting, string? value, string proxy = "10.0.0.4")
    {
        var settings = new Dictionary<string, string?>
        {
            ["Serving:Store"] = SecurityTestSupport.EmptyStore(),
            ["Serving:RateLimit:PermitsPerSecond"] = "1",
        };
        if (setting is not null)
        {
            settings[setting] = value;
        }

        await using var app = new ServingApp(fixture.Models, settings);
        var client = app.FromPeer(IPAddress.Parse(proxy)).CreateClient();
        var statuses = new List<HttpStatusCode>();
        foreach (var address in Clients)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/models");
            request.Headers.Add("X-Forwarded-For", address);
            statuses.Add((await client.SendAsync(request)).StatusCode);
        }

        // A client that writes addresses of its own before the proxy's entry is still the same client.
        using var spoofed = new HttpRequestMessage(HttpMethod.Get, "/models");
        spoofed.Headers.Add("X-Forwarded-For", "198.51.100." + Random.Shared.Next(1, 255) + ", " + Clients[0]);
        statuses.Add((await client.SendAsync(spoofed)).StatusCode);
        return statuses;
    }

    [Theory]
    [InlineData("Serving:ForwardedHeaders:KnownProxies:0", "10.0.0.4", "10.0.0.4")]
    [InlineData("Serving:ForwardedHeaders:KnownNetworks:0", "10.0.0.0/23", "10.0.0.4")]
    [InlineData("Serving:ForwardedHeaders:KnownNetworks:0", "10.0.0.0/23", "::ffff:10.0.0.4")]
    public async Task Behind_a_known_proxy_each_client_has_its_own_budget(string setting, string value, string proxy)
    {
        var statuses = await FirstRequestOfEachClientAsync(setting, value, proxy);

        statuses.Should().Equal(HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("Serving:ForwardedHeaders:KnownProxies:0", "10.0.0.5")]
    [InlineData("Serving:ForwardedHeaders:KnownNetworks:0", "192.168.0.0/16")]
    public async Task Behind_an_unknown_proxy_every_client_shares_the_proxys_budget(string? setting, string? value)
    {
        var statuses = await FirstRequestOfEachClientAsync(setting, value);

        statuses.Should().Equal(HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests);
    }
}
