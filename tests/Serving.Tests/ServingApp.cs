using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using MLPipeline.Serving.Pool;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// The real service (Program) over the test store, with extra settings per test class, and anything else a test
/// needs of the host (<paramref name="configure"/>: test services, another settings file, a log sink).
/// </summary>
public sealed class ServingApp(TrainedModels models, IReadOnlyDictionary<string, string?>? settings = null, Action<IWebHostBuilder>? configure = null)
    : WebApplicationFactory<Program>
{
    public const string ApiKey = "test-key-0123456789abcdef";

    public TrainedModels Models { get; } = models;

    public PredictionEnginePool Pool => Services.GetRequiredService<PredictionEnginePool>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Serving:Store", Models.StoreDirectory);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        configure?.Invoke(builder);
    }

    /// <summary>A client once every configured model is loaded.</summary>
    public async Task<HttpClient> ReadyClientAsync(string? apiKey = null)
    {
        var client = CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        if (!await Eventually.StatusAsync(client, "/healthz/ready", System.Net.HttpStatusCode.OK, TimeSpan.FromSeconds(60)))
        {
            throw new TimeoutException("The service did not become ready: " + string.Join("; ", Pool.Models.Select(m => $"{m.Name}: {m.LastError}")));
        }

        return client;
    }

    public static JsonContent Instances(params object[] instances) => JsonContent.Create(new { instances });

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
