using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests.Monitoring;

/// <summary>Live inputs against the manifest's training profile: the training distribution is stable, shifted columns drift, and only those.</summary>
[Collection(ServingTestGroup.Name)]
public sealed class DriftTests(TrainedModelsFixture fixture)
{
    private static readonly string[] Shifted = ["LSTAT", "NOX"];

    private TrainedModels Models => fixture.Models;

    [Fact]
    public async Task Inputs_from_the_training_distribution_are_stable_and_shifted_columns_alone_drift()
    {
        var manifest = Models.HousePricesMain;
        manifest.Profile.Should().NotBeNull();
        var rows = CsvInstances.Read("house-prices.csv", manifest);
        using var logs = new TempFolder("monitoring-drift-");
        await using var app = MonitoringApp.Create(Models, logs.Path,
            ("Serving:Monitoring:Models:house-prices:LogPercent", "100"),
            ("Serving:Monitoring:DriftWindowRows", rows.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var client = await app.ReadyClientAsync();

        var stable = await DriftAfterAsync(app, client, rows.Select(r => r.Instance), rows.Count);
        stable.GetProperty("status").GetString().Should().Be("stable");
        var columns = stable.GetProperty("columns").Deserialize<Dictionary<string, double>>()!;
        columns.Keys.Should().BeEquivalentTo(manifest.Inputs.Select(i => i.Name));
        columns.Values.Should().OnlyContain(psi => psi < 0.1);
        stable.GetProperty("score").GetDouble().Should().BeLessThan(0.1);

        // The same rows with two columns moved: the window now holds only shifted rows.
        var shifted = rows.Select(r => r.Instance.ToDictionary(
            c => c.Key,
            c => c.Key switch
            {
                "LSTAT" => (object?)((float)c.Value! * 2.5f),
                "NOX" => (float)c.Value! + 0.2f,
                _ => c.Value,
            }));
        var drifting = await DriftAfterAsync(app, client, shifted, rows.Count * 2);
        drifting.GetProperty("status").GetString().Should().Be("drifting");
        var psi = drifting.GetProperty("columns").Deserialize<Dictionary<string, double>>()!;
        psi.Where(c => Shifted.Contains(c.Key)).Should().OnlyContain(c => c.Value > 0.25);
        psi.Where(c => !Shifted.Contains(c.Key)).Should().OnlyContain(c => c.Value < 0.1);

        var metrics = await client.GetStringAsync("/metrics");
        metrics.Should().Contain($"mlpipeline_feature_psi{{model=\"house-prices\",version=\"{manifest.Version}\",feature=\"LSTAT\"}}");
    }

    private static async Task<JsonElement> DriftAfterAsync(ServingApp app, HttpClient client, IEnumerable<Dictionary<string, object?>> instances, int monitoredTotal)
    {
        foreach (var chunk in instances.Chunk(100))
        {
            using var response = await client.PostAsync("/models/house-prices/predict", ServingApp.Instances([.. chunk]));
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await Eventually.TrueAsync(() => app.Registry().Versions(TrainedModels.HousePrices).SingleOrDefault()?.Logged == monitoredTotal, TimeSpan.FromSeconds(30), "every row to be monitored");
        var report = await client.GetFromJsonAsync<JsonElement>("/models/house-prices/monitoring");
        return report.GetProperty("versions")[0].GetProperty("drift");
    }
}
