using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// The global concurrency limit: with one slot, a request in progress holds it and the next one is shed at once with
/// 503, Retry-After and problem details, while health and metrics are never shed; a prediction whose body is still
/// arriving holds no slot, so slow senders cannot take the service's slots.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class LoadSheddingTests(TrainedModelsFixture fixture)
{
    private static Dictionary<string, string?> OneSlot(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Serving:Models:0"] = TrainedModels.HousePrices,
            ["Serving:Limits:MaxConcurrentRequests"] = "1",
            ["Serving:Limits:ConcurrencyQueue"] = "0",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task A_request_over_the_limit_is_503_with_retry_after_while_health_stays_open()
    {
        await using var app = new ServingApp(fixture.Models, OneSlot(("Serving:Limits:MaxBatchSize", "5000"), ("Serving:Limits:MaxBodyBytes", "8388608")));
        var client = await app.ReadyClientAsync();
        var instance = TrainedModels.Instance(fixture.Models.HousePricesMain);

        // Holds the one slot: a batch whose answer the client has not read. The test server buffers 64 KB of an answer,
        // and a request keeps its slot until its last byte is written.
        using var holder = await client.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, "/models/house-prices/predict") { Content = ServingApp.Instances([.. Enumerable.Repeat<object>(instance, 4000)]) },
            HttpCompletionOption.ResponseHeadersRead);
        holder.StatusCode.Should().Be(HttpStatusCode.OK);

        var shed = await client.PostAsync("/models/house-prices/predict", ServingApp.Instances(instance));
        shed.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        shed.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(1));
        shed.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await ServingApp.JsonAsync(shed)).GetProperty("detail").GetString().Should().Contain("Serving:Limits:MaxConcurrentRequests");
        (await client.GetAsync("/models")).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, "admin and model routes share the slots");
        foreach (var open in new[] { "/healthz/live", "/healthz/ready", "/v2/health/live", "/v2/health/ready", "/metrics" })
        {
            (await client.GetAsync(open)).StatusCode.Should().Be(HttpStatusCode.OK, open + " is never shed");
        }

        (await ServingApp.JsonAsync(holder)).GetProperty("predictions").GetArrayLength().Should().Be(4000, "the held request finishes normally");
        (await client.PostAsync("/models/house-prices/predict", ServingApp.Instances(instance)))
            .StatusCode.Should().Be(HttpStatusCode.OK, "its slot was given back");
        var metrics = await (await client.GetAsync("/metrics")).Content.ReadAsStringAsync();
        metrics.Should().Contain("mlpipeline_requests_rejected_total{reason=\"overloaded\"} 2");
    }

    [Theory]
    [InlineData("/models/house-prices/predict")]
    [InlineData("/v2/models/house-prices/infer")]
    public async Task A_prediction_whose_body_is_still_arriving_holds_no_slot(string path)
    {
        // Kestrel itself, on a loopback port: a slow sender is a matter of real connections.
        await using var app = new ServingApp(fixture.Models, OneSlot());
        app.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        var client = await app.ReadyClientAsync();
        var instance = TrainedModels.Instance(fixture.Models.HousePricesMain);
        var body = path.StartsWith("/v2", StringComparison.Ordinal) ? InferBody(instance) : JsonSerializer.SerializeToUtf8Bytes(new { instances = new[] { instance } });

        // A client that sends its headers, is told to go on (Kestrel says "100 Continue" once the service starts reading
        // the body, past every middleware), then sends ten bytes and stalls.
        using var slow = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await slow.ConnectAsync(address.Host, address.Port);
        await slow.SendAsync(Encoding.ASCII.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n"
            + "Expect: 100-continue\r\nConnection: close\r\n\r\n"));
        (await ReadAsync(slow, until: "\r\n\r\n")).Should().StartWith("HTTP/1.1 100 Continue");
        await slow.SendAsync(body.AsMemory(0, 10));

        foreach (var route in new[] { "/models/house-prices/predict", "/v2/models/house-prices/infer" })
        {
            var probe = route.StartsWith("/v2", StringComparison.Ordinal)
                ? await client.PostAsync(route, new ByteArrayContent(InferBody(instance)) { Headers = { ContentType = new("application/json") } })
                : await client.PostAsJsonAsync(route, new { instances = new[] { instance } });
            probe.StatusCode.Should().Be(HttpStatusCode.OK, $"{route} must not wait behind a body still arriving on {path}");
        }

        await slow.SendAsync(body.AsMemory(10));
        (await ReadAsync(slow, until: null)).Should().StartWith("HTTP/1.1 200", "the slow request takes a slot once its body is in");
        var metrics = await (await client.GetAsync("/metrics")).Content.ReadAsStringAsync();
        metrics.Should().Contain("mlpipeline_requests_rejected_total{reason=\"overloaded\"} 0");
    }

    private static byte[] InferBody(Dictionary<string, object?> instance) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        inputs = instance.Select(p => new
        {
            name = p.Key,
            shape = new[] { 1 },
            datatype = p.Value is string ? "BYTES" : "FP32",
            data = new[] { p.Value },
        }),
    });

    /// <summary>What the server sends, up to <paramref name="until"/> (or until it closes the connection), within 30 s.</summary>
    private static async Task<string> ReadAsync(Socket socket, string? until)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var text = new StringBuilder();
        var buffer = new byte[4096];
        while (until is null || !text.ToString().Contains(until, StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (read == 0)
            {
                break;
            }

            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return text.ToString();
    }
}
