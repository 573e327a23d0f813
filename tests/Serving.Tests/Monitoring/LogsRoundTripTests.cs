using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;
using MLPipeline.Training.Cli;

namespace MLPipeline.Serving.Tests.Monitoring;

/// <summary>
/// The console reads what the service logged: <c>logs export --with-feedback</c> writes a CSV that <c>train</c> accepts,
/// and <c>monitor</c> writes its report and exits 9 once logged inputs drifted.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class LogsRoundTripTests(TrainedModelsFixture fixture)
{
    private TrainedModels Models => fixture.Models;

    [Fact]
    public async Task Logged_rows_with_feedback_export_to_a_csv_that_trains_and_monitor_flags_drift()
    {
        using var folder = new TempFolder("monitoring-roundtrip-");
        var storePath = folder.Combine("store");
        var store = new FileModelStore(storePath);
        var download = folder.Combine("download");
        await Models.Store.DownloadAsync(Models.HousePricesMain, download);
        await store.PublishAsync(download);
        var rows = CsvInstances.Read("house-prices.csv", Models.HousePricesMain);

        await ServeAsync(storePath, rows.Select(r => r.Instance), rows.Select(r => (object)double.Parse(r.Label, System.Globalization.CultureInfo.InvariantCulture)).ToList());

        var csv = folder.Combine("export.csv");
        var export = await ConsoleAsync(folder.Path, "logs", "export", TrainedModels.HousePrices, "--with-feedback", "--out", csv, "--store", storePath);
        export.ExitCode.Should().Be(0, export.ToString());
        var lines = await File.ReadAllLinesAsync(csv);
        lines[0].Should().Be(string.Join(',', Models.HousePricesMain.Inputs.Select(i => i.Name).Append("MEDV")));
        lines.Skip(1).Should().HaveCount(rows.Count);

        var spec = new TestSpec("from-log", csv, "MEDV", "regression", "Sdca").With("columns", new { CHAS = "categorical" })
            .With("testFraction", 0.2).WithoutCrossValidation().With("seed", 3).With("export", new { onnx = false }).WriteTo(folder);
        var train = await ConsoleAsync(folder.Path, "train", spec, "--store", folder.Combine("trained"));
        train.ExitCode.Should().Be(0, train.ToString());
        (await new FileModelStore(folder.Combine("trained")).ListVersionsAsync("from-log")).Single().TrainingData.Rows.Should().Be(rows.Count);

        var report = folder.Combine("report");
        var stable = await ConsoleAsync(folder.Path, "monitor", TrainedModels.HousePrices, "--store", storePath, "--out", report);
        stable.ExitCode.Should().Be(0, stable.ToString());
        File.ReadAllText(Path.Combine(report, "monitoring.md")).Should().Contain("| LSTAT |").And.Contain("RSquared").And.Contain("None.");
        Directory.GetFiles(report, "*.png").Should().HaveCountGreaterThanOrEqualTo(4);

        // The same rows with LSTAT tripled: the log now holds a shifted half.
        await ServeAsync(storePath, rows.Select(r => r.Instance.ToDictionary(c => c.Key, c => c.Key == "LSTAT" ? (object?)((float)c.Value! * 3) : c.Value)), null);
        var drifted = await ConsoleAsync(folder.Path, "monitor", TrainedModels.HousePrices, "--store", storePath, "--out", report);
        drifted.ExitCode.Should().Be(ExitCodes.MonitoringAlert, drifted.ToString());
        drifted.StdOut.Should().Contain($"alert: house-prices:{Models.HousePricesMain.Version}: LSTAT drifted");
    }

    private async Task ServeAsync(string storePath, IEnumerable<Dictionary<string, object?>> instances, IReadOnlyList<object>? labels)
    {
        await using var app = new ServingApp(Models, new Dictionary<string, string?>
        {
            ["Serving:Store"] = storePath,
            ["Serving:Monitoring:Models:house-prices:LogPercent"] = "100",
        });
        var client = await app.ReadyClientAsync();
        var ids = new List<string>();
        foreach (var chunk in instances.Chunk(100))
        {
            using var response = await client.PostAsync("/models/house-prices/predict", ServingApp.Instances([.. chunk]));
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            ids.AddRange((await ServingApp.JsonAsync(response)).GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("id").GetString()!));
        }

        if (labels is not null)
        {
            await Eventually.TrueAsync(() => app.Registry().Versions(TrainedModels.HousePrices).SingleOrDefault()?.Logged == ids.Count, TimeSpan.FromSeconds(30), "every row to be monitored");
            using var feedback = await client.PostAsJsonAsync("/models/house-prices/feedback", new { items = ids.Select((id, i) => new { id, label = labels[i] }) });
            feedback.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        // Disposing stops the service: the log and the feedback are written to the store.
    }

    private static Task<ExternalTool.Result> ConsoleAsync(string directory, params string[] arguments) =>
        ExternalTool.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "mlpipeline.dll"), .. arguments], directory, TimeSpan.FromMinutes(5),
            new Dictionary<string, string?> { ["NO_COLOR"] = "1", ["COLUMNS"] = "250" });
}
