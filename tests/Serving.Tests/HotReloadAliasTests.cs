using System.Net;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// Hot reload from a blob model store (real Azurite) under constant load: the production alias moves several times,
/// and every move is served within the poll interval plus load time, with no failed request and no step back.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class HotReloadAliasTests(TrainedModelsFixture fixture, AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly VersionPackages _packages = new(fixture.Models);

    private TrainedModels Models => fixture.Models;

    public void Dispose() => _packages.Dispose();

    [Fact]
    public async Task Moving_the_alias_swaps_versions_under_load_without_a_failed_request()
    {
        var container = await azurite.Server.CreateContainerAsync();
        var location = azurite.Server.StoreUriWithSas(container);
        var store = ModelStoreFactory.Open(location);
        var name = TrainedModels.HousePrices;
        await store.PublishAsync(_packages.Renamed(Models.HousePricesMain, "r1"));
        await store.PromoteAsync(name, "r1", "production");

        await using var app = new ServingApp(Models, HotReloadSettings.With(("Serving:Store", location), ("Serving:Models:0", name)));
        var client = await app.ReadyClientAsync();
        await using var load = new PredictionLoad(app.CreateClient, name, TrainedModels.Instance(Models.HousePricesMain), clients: 6);
        await load.WaitForVersionAsync("r1", HotReloadSettings.SwapDeadline);

        string[] versions = ["r1", "r2", "r3", "r4"];
        for (var i = 1; i < versions.Length; i++)
        {
            // Alternate the two trained models, so each swap really changes the model, not just its name.
            await store.PublishAsync(_packages.Renamed(i % 2 == 1 ? Models.HousePricesOther : Models.HousePricesMain, versions[i]));
            await store.PromoteAsync(name, versions[i], "production");
            await load.WaitForVersionAsync(versions[i], HotReloadSettings.SwapDeadline);
        }

        // Every client is answered by the last version before the load stops: the load ran across every swap.
        await Eventually.TrueAsync(() => load.Answers.All(a => a.Any(x => x.Version == versions[^1])), HotReloadSettings.SwapDeadline, "every client reaches the last version");
        var answers = await load.StopAsync();

        answers.Where(a => a.Status != 200).Should().BeEmpty("a swap must not fail a request");
        answers.Select(a => a.Version).Should().OnlyContain(v => versions.Contains(v));
        foreach (var perClient in load.Answers)
        {
            // Once a client has been answered by a version, it is never answered by an older one.
            var order = perClient.Select(a => Array.IndexOf(versions, a.Version)).ToList();
            order.Should().BeInAscendingOrder();
        }

        var status = await ServingApp.JsonAsync(await client.GetAsync($"/models/{name}"));
        status.GetProperty("model").GetProperty("version").GetString().Should().Be("r4");
        status.GetProperty("model").GetProperty("status").GetString().Should().Be("ready");
        status.GetProperty("loads").GetInt32().Should().Be(4);
    }

    [Fact]
    public async Task The_reload_route_checks_now_and_needs_the_api_key()
    {
        var container = await azurite.Server.CreateContainerAsync();
        var location = azurite.Server.StoreUriWithSas(container);
        var store = ModelStoreFactory.Open(location);
        var name = TrainedModels.HousePrices;
        await store.PublishAsync(_packages.Renamed(Models.HousePricesMain, "k1"));
        await store.PromoteAsync(name, "k1", "production");

        // A poll interval far beyond the test: only the route can bring the new version in.
        await using var app = new ServingApp(Models, HotReloadSettings.With(
            ("Serving:Store", location), ("Serving:Models:0", name), ("Serving:Reload:PollInterval", "00:10:00"), ("Serving:Reload:MaxBackoff", "00:10:00"),
            ("Serving:ApiKeys:0", ServingApp.ApiKey)));
        var client = await app.ReadyClientAsync(ServingApp.ApiKey);
        await store.PublishAsync(_packages.Renamed(Models.HousePricesOther, "k2"));
        await store.PromoteAsync(name, "k2", "production");

        (await app.CreateClient().PostAsync($"/models/{name}/reload", null)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var reloaded = await client.PostAsync($"/models/{name}/reload", SecurityTestSupport.EmptyJson());

        reloaded.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ServingApp.JsonAsync(reloaded)).GetProperty("version").GetString().Should().Be("k2");
    }
}
