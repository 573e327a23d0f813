using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// Storage goes away under load (Azurite stopped, persistent data) and comes back: no request fails, the status shows
/// the outage meanwhile, and reloads resume by themselves once storage answers again.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class HotReloadOutageTests(TrainedModelsFixture fixture) : IDisposable
{
    private readonly VersionPackages _packages = new(fixture.Models);

    private TrainedModels Models => fixture.Models;

    public void Dispose() => _packages.Dispose();

    [Fact]
    public async Task A_storage_outage_fails_no_request_and_reloads_resume_after_it()
    {
        await using var azurite = await AzuriteServer.StartAsync(persistent: true);
        var container = await azurite.CreateContainerAsync();
        var location = azurite.StoreUriWithSas(container);
        var store = ModelStoreFactory.Open(location);
        var name = TrainedModels.HousePrices;
        await store.PublishAsync(_packages.Renamed(Models.HousePricesMain, "o1"));
        await store.PromoteAsync(name, "o1", "production");

        await using var app = new ServingApp(Models, HotReloadSettings.With(("Serving:Store", location), ("Serving:Models:0", name)));
        var client = await app.ReadyClientAsync();
        await using var load = new PredictionLoad(app.CreateClient, name, TrainedModels.Instance(Models.HousePricesMain), clients: 6);
        await load.WaitForVersionAsync("o1", HotReloadSettings.SwapDeadline);

        await azurite.StopAsync();
        var degraded = await WaitForStatusAsync(client, name, "degraded");
        degraded.GetProperty("version").GetString().Should().Be("o1");
        degraded.GetProperty("lastError").GetString().Should().NotBeNullOrEmpty();
        // The outage lasts over at least one more failed check, whatever the machine's speed, before storage returns.
        var failures = await LoadFailuresAsync(client, name);
        await Eventually.ValueAsync(() => LoadFailuresAsync(client, name), seen => seen > failures, HotReloadSettings.SwapDeadline);
        await azurite.StartAsync();

        // Nothing to do for the service: the next check finds storage back, then a new version is followed as usual.
        await WaitForStatusAsync(client, name, "ready");
        await store.PublishAsync(_packages.Renamed(Models.HousePricesOther, "o2"));
        await store.PromoteAsync(name, "o2", "production");
        await load.WaitForVersionAsync("o2", HotReloadSettings.SwapDeadline);
        var answers = await load.StopAsync();

        answers.Where(a => a.Status != 200).Should().BeEmpty("an outage of the store must not fail a request");
        answers.Select(a => a.Version).Distinct().Should().BeEquivalentTo(["o1", "o2"]);
    }

    private static async Task<int> LoadFailuresAsync(HttpClient client, string name) =>
        (await ServingApp.JsonAsync(await client.GetAsync($"/models/{name}"))).GetProperty("loadFailures").GetInt32();

    private static async Task<System.Text.Json.JsonElement> WaitForStatusAsync(HttpClient client, string name, string status)
    {
        return await Eventually.ValueAsync(
            async () => (await ServingApp.JsonAsync(await client.GetAsync($"/models/{name}"))).GetProperty("model"),
            model => model.GetProperty("status").GetString() == status,
            HotReloadSettings.SwapDeadline);
    }
}
