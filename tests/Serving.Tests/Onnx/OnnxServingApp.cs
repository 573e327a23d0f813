using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using MLPipeline.Serving.Pool;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests.Onnx;

/// <summary>The real service (Program) over a store of imported ONNX models, with extra settings.</summary>
public sealed class OnnxServingApp(string store, IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    public PredictionEnginePool Pool => Services.GetRequiredService<PredictionEnginePool>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Serving:Store", store);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>A client once every configured model is loaded.</summary>
    public async Task<HttpClient> ReadyClientAsync()
    {
        var client = CreateClient();
        await Eventually.ValueAsync(
            async () => (await client.GetAsync("/healthz/ready")).StatusCode == System.Net.HttpStatusCode.OK && Pool.Models.All(m => m.Current is not null),
            ready => ready,
            TimeSpan.FromSeconds(60),
            _ => "The service did not become ready: " + string.Join("; ", Pool.Models.Select(m => $"{m.Name}: {m.LastError}")));
        return client;
    }
}
