using System.Net;
using System.Text.Json;
using MLPipeline.Shared.Store;

using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// Versions loaded on demand by the version routes live in a bounded cache: the least recently used idle one makes room
/// (the fifth and sixth versions are served, not refused), a version that fails to load takes no place, the byte
/// budget evicts too, and a version in memory answers even when its store is gone.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class OnDemandVersionTests(TrainedModelsFixture fixture) : IDisposable
{
    private const string Name = TrainedModels.HousePrices;
    private readonly VersionPackages _packages = new(fixture.Models);
    private readonly TempFolder _folder = new("mlpipeline-ondemand-");

    private TrainedModels Models => fixture.Models;

    private string Store => _folder.Path;

    public void Dispose()
    {
        _packages.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task The_fifth_and_sixth_versions_evict_the_least_recently_used()
    {
        await PublishAsync("v1", "v2", "v3", "v4", "v5", "v6", "served");
        await using var app = new ServingApp(Models, HotReloadSettings.With(("Serving:Store", Store), ("Serving:Limits:MaxOnDemandVersions", "4")));
        var client = await app.ReadyClientAsync();

        foreach (var version in new[] { "v1", "v2", "v3", "v4" })
        {
            (await PredictAsync(client, version)).Should().Be(HttpStatusCode.OK);
        }

        (await PredictAsync(client, "v1")).Should().Be(HttpStatusCode.OK, "v1 is now the most recently used");
        (await PredictAsync(client, "v5")).Should().Be(HttpStatusCode.OK, "the fifth version evicts v2, the least recently used");
        (await LoadedAsync(client)).Should().BeEquivalentTo(["v1", "v3", "v4", "v5"]);
        (await PredictAsync(client, "v6")).Should().Be(HttpStatusCode.OK);
        (await LoadedAsync(client)).Should().BeEquivalentTo(["v1", "v4", "v5", "v6"]);
    }

    [Fact]
    public async Task A_version_that_fails_to_load_takes_no_place()
    {
        await PublishAsync("v1", "served");
        await new FileModelStore(Store).PublishAsync(_packages.WithModelBytes(Models.HousePricesMain, "broken", new byte[100]));
        await using var app = new ServingApp(Models, HotReloadSettings.With(("Serving:Store", Store), ("Serving:Limits:MaxOnDemandVersions", "1")));
        var client = await app.ReadyClientAsync();

        (await PredictAsync(client, "broken")).Should().Be(HttpStatusCode.ServiceUnavailable);
        (await LoadedAsync(client)).Should().BeEmpty();
        (await PredictAsync(client, "v1")).Should().Be(HttpStatusCode.OK, "the failed load left its place free");
    }

    [Fact]
    public async Task The_byte_budget_evicts_idle_versions_and_a_loaded_version_does_not_read_theStore()
    {
        await PublishAsync("v1", "v2", "served");
        var oneModel = new FileInfo(Models.ModelPath(Models.HousePricesMain)).Length;
        await using var app = new ServingApp(Models, HotReloadSettings.With(
            ("Serving:Store", Store), ("Serving:Limits:MaxOnDemandBytes", (oneModel + (oneModel / 2)).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        var client = await app.ReadyClientAsync();

        (await PredictAsync(client, "v1")).Should().Be(HttpStatusCode.OK);
        (await PredictAsync(client, "v2")).Should().Be(HttpStatusCode.OK);
        (await LoadedAsync(client)).Should().Equal(["v2"], "two models do not fit the byte budget");

        // The store goes away; the version in memory keeps answering without asking it.
        Directory.Move(Path.Combine(Store, Name), Path.Combine(Store, "gone"));
        for (var i = 0; i < 3; i++)
        {
            (await PredictAsync(client, "v2")).Should().Be(HttpStatusCode.OK);
        }
    }

    private async Task PublishAsync(params string[] versions)
    {
        var store = new FileModelStore(Store);
        foreach (var version in versions)
        {
            await store.PublishAsync(_packages.Renamed(Models.HousePricesMain, version));
        }

        await store.PromoteAsync(Name, "served", "production");
    }

    private async Task<HttpStatusCode> PredictAsync(HttpClient client, string version) =>
        (await client.PostAsync($"/models/{Name}/versions/{version}/predict", ServingApp.Instances(TrainedModels.Instance(Models.HousePricesMain)))).StatusCode;

    private static async Task<IReadOnlyList<string>> LoadedAsync(HttpClient client) =>
        [.. (await ServingApp.JsonAsync(await client.GetAsync($"/models/{Name}"))).GetProperty("onDemandVersions").EnumerateArray()
            .Select(v => v.GetProperty("version").GetString()!)];
}
