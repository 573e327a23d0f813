using System.Net;
using MLPipeline.Serving.Tests.Monitoring;
using MLPipeline.Shared.Rollout;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests.Ui;

/// <summary>The model page's rollout and monitoring sections show the store's rollout record and this replica's live figures.</summary>
[Collection(ServingTestGroup.Name)]
public sealed class UiLiveSectionsTests(TrainedModelsFixture fixture) : IDisposable
{
    private readonly TempFolder _store = new("mlpipeline-ui-live-");

    [Fact]
    public async Task A_running_rollout_shows_its_state_and_both_versions_and_a_model_without_one_says_so()
    {
        var store = new FileModelStore(_store.Path);
        foreach (var version in new[] { "v1", "v2" })
        {
            var package = TestModelPackage.Create("house", version);
            await store.PublishAsync(package);
            Directory.Delete(package, recursive: true);
        }

        await store.PromoteAsync("house", "v1", "production");
        var record = RolloutTransitions.Start("house", "production", "v1", "v2", RolloutMode.Canary, [10, 100], TimeSpan.FromMinutes(5), null, new RolloutCriteria(), "test", DateTimeOffset.UtcNow);
        await new RolloutStore(store).WriteAsync(record, read: null);

        // The follower stays off: this test reads the record, nothing should act on it.
        await using var app = new ServingApp(fixture.Models, new Dictionary<string, string?> { ["Serving:Store"] = _store.Path, ["Serving:Rollout:Enabled"] = "false" });
        var client = app.CreateClient();

        var page = await client.GetAsync("/ui/models/house");
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        var html = await page.Content.ReadAsStringAsync();
        html.Should().Contain("canary at 10%").And.Contain("v1 (stable)").And.Contain("v2 (candidate)").And.NotContain("id=\"rollout-off\"");

        await File.WriteAllTextAsync(_store.Combine("house", RolloutRecord.FileName), "{ torn");
        (await client.GetStringAsync("/ui/models/house")).Should().Contain("unreadable record").And.Contain(RolloutRecord.FileName);

        File.Delete(_store.Combine("house", RolloutRecord.FileName));
        (await client.GetStringAsync("/ui/models/house")).Should().Contain("id=\"rollout-off\"");
    }

    [Fact]
    public async Task A_monitored_model_shows_its_drift_per_column_and_an_unmonitored_one_says_monitoring_is_off()
    {
        using var logs = new TempFolder("mlpipeline-ui-live-logs-");
        await using var app = MonitoringApp.Create(fixture.Models, logs.Path, ("Serving:Monitoring:Models:house-prices:LogPercent", "100"));
        var client = await app.ReadyClientAsync();
        var row = ServingApp.Instances(TrainedModels.Instance(fixture.Models.HousePricesMain));
        for (var i = 0; i < 20; i++)
        {
            (await client.PostAsync("/models/house-prices/predict", row)).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        var monitored = await Eventually.ValueAsync(
            () => client.GetStringAsync("/ui/models/house-prices"),
            html => html.Contains("id=\"drift\"", StringComparison.Ordinal) && html.Contains("LSTAT", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30));
        monitored.Should().Contain("PSI").And.Contain(fixture.Models.HousePricesMain.Version).And.NotContain("id=\"monitoring-off\"");

        (await client.GetStringAsync("/ui/models/iris")).Should().Contain("id=\"monitoring-off\"");
    }

    public void Dispose() => _store.Dispose();
}
