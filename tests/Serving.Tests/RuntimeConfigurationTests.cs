using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using MLPipeline.TestSupport;

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
        var log = new LogLines();
        await using var app = new ServingApp(Models, configure: builder =>
        {
            builder.ConfigureAppConfiguration((_, configuration) => configuration.AddJsonFile(SettingsFile, optional: false, reloadOnChange: true));
            builder.ConfigureLogging(logging => logging.AddProvider(log));
        });
        var client = app.CreateClient();
        var row = ServingApp.Instances(TrainedModels.Instance(Models.HousePricesMain));
        await WaitForStatusAsync(client, "first", HttpStatusCode.OK);

        WriteSettings(("first", Models.ModelPath(Models.HousePricesMain)), ("second", Models.ModelPath(Models.HousePricesOther)));
        await WaitForStatusAsync(client, "second", HttpStatusCode.OK);
        (await client.PostAsync("/models/second/predict", row)).Headers.GetValues("X-Model-Version").Single().Should().Be(Models.HousePricesOther.Version);

        WriteSettings(("second", Models.ModelPath(Models.HousePricesOther)));
        await WaitForStatusAsync(client, "first", HttpStatusCode.NotFound);
        (await client.PostAsync("/models/second/predict", row)).StatusCode.Should().Be(HttpStatusCode.OK, "the model that stays keeps serving");

        // A configuration that does not validate changes nothing: had it been applied, "third" would serve and "second"
        // would be gone. The valid change after it is applied, which proves the invalid one had its turn and was ignored.
        var third = JsonSerializer.Serialize(Models.ModelPath(Models.HousePricesMain));
        File.WriteAllText(SettingsFile, $$"""{ "Serving": { "Sources": [ { "Name": "third", "Path": {{third}} }, { "Name": "bad name!", "Path": "x" } ] } }""");
        await Eventually.TrueAsync(() => log.Lines.Any(m => m.Contains("not applied", StringComparison.Ordinal) && m.Contains("bad name!", StringComparison.Ordinal)), HotReloadSettings.SwapDeadline, "the invalid configuration is read and refused");
        WriteSettings(("second", Models.ModelPath(Models.HousePricesOther)), ("fourth", Models.ModelPath(Models.HousePricesMain)));
        await WaitForStatusAsync(client, "fourth", HttpStatusCode.OK);
        (await client.GetAsync("/models/third")).StatusCode.Should().Be(HttpStatusCode.NotFound, "the invalid configuration was not applied");
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
        // GET /models/{name}: 200 once the model is configured and loaded, 404 once it is gone.
        await Eventually.ValueAsync(
            async () =>
            {
                using var response = await client.GetAsync($"/models/{model}");
                var status = response.StatusCode == HttpStatusCode.OK
                    ? (await ServingApp.JsonAsync(response)).GetProperty("model").GetProperty("status").GetString()
                    : null;
                return (response.StatusCode, status);
            },
            seen => seen.StatusCode == expected && (expected != HttpStatusCode.OK || seen.status == "ready"),
            HotReloadSettings.SwapDeadline);
    }

    private sealed class LogLines : ILoggerProvider, ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue(formatter(state, exception));

        public void Dispose()
        {
        }
    }
}
