using System.Net;
using System.Text;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// The global concurrency limit: with one slot, a predict request whose body is still arriving holds it, and the next
/// predict request is shed at once with 503, Retry-After and problem details; health and metrics are never shed.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class LoadSheddingTests(TrainedModelsFixture fixture)
{
    /// <summary>A JSON body sent in two parts: the second only once the test releases it.</summary>
    private sealed class HeldBody(string json) : HttpContent
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _release.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            await stream.WriteAsync(bytes.AsMemory(0, 10));
            await stream.FlushAsync();
            await _release.Task;
            await stream.WriteAsync(bytes.AsMemory(10));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public async Task A_request_over_the_limit_is_503_with_retry_after_while_health_stays_open()
    {
        await using var app = new ServingApp(fixture.Models, new Dictionary<string, string?>
        {
            ["Serving:Models:0"] = TrainedModels.HousePrices,
            ["Serving:Limits:MaxConcurrentRequests"] = "1",
            ["Serving:Limits:ConcurrencyQueue"] = "0",
        });
        var client = await app.ReadyClientAsync();
        var row = System.Text.Json.JsonSerializer.Serialize(new { instances = new[] { TrainedModels.Instance(fixture.Models.HousePricesMain) } });
        // Without the redirect handler, which would buffer the whole body before sending anything.
        var holderClient = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        HeldBody held = null!;
        Task<HttpResponseMessage>? holder = null;
        var shedHolders = 0;

        // The held request takes the slot as soon as it reaches the endpoint; until then a probe may still pass. A held
        // request that arrives while a probe has the slot is itself shed: send another one.
        HttpResponseMessage shed;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            if (holder is null || holder.IsCompleted)
            {
                if (holder is not null)
                {
                    (await holder).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, "a held request only ends early when it was shed");
                    shedHolders++;
                }

                held = new HeldBody(row);
                held.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                holder = holderClient.PostAsync("/models/house-prices/predict", held);
            }

            shed = await client.PostAsync("/models/house-prices/predict", ServingApp.Instances(TrainedModels.Instance(fixture.Models.HousePricesMain)));
        }
        while (shed.StatusCode == HttpStatusCode.OK && DateTime.UtcNow < deadline);

        shed.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        shed.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(1));
        shed.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await ServingApp.JsonAsync(shed)).GetProperty("detail").GetString().Should().Contain("Serving:Limits:MaxConcurrentRequests");
        (await client.GetAsync("/models")).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, "admin and model routes share the slots");
        foreach (var open in new[] { "/healthz/live", "/healthz/ready", "/v2/health/live", "/v2/health/ready", "/metrics" })
        {
            (await client.GetAsync(open)).StatusCode.Should().Be(HttpStatusCode.OK, open + " is never shed");
        }

        held.Release();
        (await holder!).StatusCode.Should().Be(HttpStatusCode.OK, "the held request finishes normally");
        (await client.PostAsync("/models/house-prices/predict", ServingApp.Instances(TrainedModels.Instance(fixture.Models.HousePricesMain))))
            .StatusCode.Should().Be(HttpStatusCode.OK, "its slot was given back");
        var metrics = await (await client.GetAsync("/metrics")).Content.ReadAsStringAsync();
        metrics.Should().Contain($"mlpipeline_requests_rejected_total{{reason=\"overloaded\"}} {2 + shedHolders}");
    }
}
