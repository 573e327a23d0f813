using System.Text.Json;
using MLPipeline.TestSupport;

namespace MLPipeline.Training.Tests;

/// <summary><c>list &lt;name&gt;</c> is a model's history: its versions, oldest first, with their metrics.</summary>
public class HistoryTests
{
    [Fact]
    public async Task List_gives_every_version_with_its_metrics_over_time()
    {
        using var dir = new TempFolder();
        var store = Path.Combine(dir.Path, "store");
        // Whole seconds: the manifest's time may be written without the fraction.
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        (await CliRunner.RunAsync("train", "pipelines/iris.json", "--store", store, "--version", "v1")).ExitCode.Should().Be(0);
        (await CliRunner.RunAsync("train", "pipelines/iris.json", "--store", store, "--version", "v2", "--alias", "production")).ExitCode.Should().Be(0);

        var after = DateTimeOffset.UtcNow;
        var json = await CliRunner.RunAsync("list", "iris", "--store", store, "--json");
        var table = await CliRunner.RunAsync("list", "iris", "--store", store);

        json.ExitCode.Should().Be(0, json.Output);
        var versions = JsonDocument.Parse(json.StdOut).RootElement.EnumerateArray().ToList();
        versions.Select(v => v.GetProperty("version").GetString()).Should().Equal("v1", "v2");
        foreach (var v in versions)
        {
            v.GetProperty("mainMetric").GetString().Should().Be("MacroAccuracy");
            v.GetProperty("crossValidationMean").GetDouble().Should().BeGreaterThan(0.9);
            v.GetProperty("testMetrics").GetProperty("MicroAccuracy").GetDouble().Should().BeGreaterThan(0.8);
            v.GetProperty("createdUtc").GetDateTimeOffset().Should().BeOnOrAfter(before).And.BeOnOrBefore(after, "a version's time is when it was trained");
        }

        versions[1].GetProperty("aliases").EnumerateArray().Select(a => a.GetString()).Should().Equal("production");
        table.StdOut.Should().Contain("CV mean").And.Contain("v1").And.Contain("v2");
    }
}
