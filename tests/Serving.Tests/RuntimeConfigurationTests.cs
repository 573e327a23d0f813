using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace MLPipeline.Serving.Tests;

/// <summary>A JSON settings file changed while the service runs: a model added to it starts serving, one removed stops.</summary>
[Collection(ServingTestGroup.Name)]
public sealed class RuntimeConfigurationTests(TrainedModelsFixture fixture) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlpipeline-runtimeconfig-").FullName;

    private TrainedModels Models => fixture.Models;

    private string SettingsFile => Path.Combine(_dir, "serving.json");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Adding_a_model_to_the_configuration_serves_it_and_removing_one_stops_it()
    {
        WriteSettings(("first", Models.ModelPath(Models.HousePricesMain)));
        await using var app = new JsonSettingsApp(SettingsFile, Models.StoreDirectory);
        var client = app.CreateClient();
        var row = ServingApp.Instances(TrainedModels.Instance(Models.HousePricesMain));
        await WaitForStatusAsync(client, "first", HttpStatusCode.OK);

        WriteSettings(("first", Models.ModelPath(Models.HousePricesMain)), ("second", Models.ModelPath(Models.HousePricesOther)));
        await WaitForStatusAsync(client, "second", HttpStatusCode.OK);
        (await client.PostAsync("/models/second/predict", row)).Headers.GetValues("X-Model-Version").Single().Should().Be(Models.HousePricesOther.Version);

        WriteSettings(("second", Models.ModelPath(Models.HousePricesOther)));
        await WaitForStatusAsync(client, "first", HttpStatusCode.NotFound);
        (await client.PostAsync("/models/second/predict", row)).StatusCode.Should().Be(HttpStatusCode.OK, "the model that stays keeps serving");

        // A configuration that does not validate changes nothing.
        File.WriteAllText(SettingsFile, """{ "Serving": { "Sources": [ { "Name": "bad name!", "Path": "x" } ] } }""");
        await Task.Delay(1500);
        (await client.PostAsync("/models/second/predict", row)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private void WriteSettings(params (string Name, string Path)[] sources)
    {
        var settings = new
        {
            Serving = new
            {
                Sources = sources.Select(s => new { s.Name, s.Path }),
                Reload = new { PollInterval = HotReloadSettings.PollInterval, MaxBackoff = "00:00:01" },
                RateLimit = new { PermitsPerSecond = 0 },
            },
        };
        File.WriteAllText(SettingsFile, JsonSerializer.Serialize(settings));
    }

    private static async Task WaitForStatusAsync(HttpClient client, string model, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow + HotReloadSettings.SwapDeadline;
        HttpStatusCode last;
        do
        {
            // GET /models/{name}: 200 once the model is configured and loaded, 404 once it is gone.
            var response = await client.GetAsync($"/models/{model}");
            last = response.StatusCode;
            if (last == expected && (expected != HttpStatusCode.OK || (await ServingApp.JsonAsync(response)).GetProperty("model").GetProperty("status").GetString() == "ready"))
            {
                return;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        throw new TimeoutException($"GET /models/{model} never answered {expected}; last {last}.");
    }

    /// <summary>The real app with one more settings file, reloaded on change like appsettings.json.</summary>
    private sealed class JsonSettingsApp(string settingsFile, string storeDirectory) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("Serving:Store", storeDirectory);
            builder.ConfigureAppConfiguration((_, configuration) => configuration.AddJsonFile(settingsFile, optional: false, reloadOnChange: true));
        }
    }
}
