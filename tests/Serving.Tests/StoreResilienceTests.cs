using System.Net;
using System.Text.Json;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// What a store can hold that it should not (a half-copied or hand-edited version, an alias naming nothing valid), and a
/// store with nothing in it yet: the process stays up, the broken model is failed with its reason, the rest serve.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class StoreResilienceTests(TrainedModelsFixture fixture, AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly VersionPackages _packages = new(fixture.Models);
    private readonly TempFolder _folder = new("mlpipeline-resilience-");

    private TrainedModels Models => fixture.Models;

    private string StorePath => _folder.Combine("store");

    public void Dispose()
    {
        _packages.Dispose();
        _folder.Dispose();
    }

    /// <summary>Manifests a half-copied or hand-edited version folder may hold.</summary>
    public static TheoryData<string> BadManifests => new()
    {
        "{}",
        "null",
        "{\"name\": \"broken\", \"version\": \"v1\", \"task\": \"regression\", \"inputs\": null, \"artifacts\": null}",
        "{\"name\": \"broken\", \"vers",
        "not json at all",
    };

    [Theory]
    [MemberData(nameof(BadManifests))]
    public async Task A_malformed_manifest_in_a_folder_store_fails_that_model_only(string manifest)
    {
        await new FileModelStore(StorePath).PublishAsync(_packages.Renamed(Models.HousePricesMain, "good"));
        var broken = Directory.CreateDirectory(Path.Combine(StorePath, "broken", "versions", "v1")).FullName;
        File.Copy(Models.ModelPath(Models.HousePricesMain), Path.Combine(broken, ModelManifest.ModelFileName));
        File.WriteAllText(Path.Combine(broken, ModelManifest.FileName), manifest);

        await using var app = new ServingApp(Models, HotReloadSettings.With(("Serving:Store", StorePath)));
        await AssertOnlyBrokenFailsAsync(app, TrainedModels.HousePrices);
    }

    /// <summary>Manifests that parse but name an input column or a class twice.</summary>
    public static TheoryData<string> Duplicates => new() { "input", "class" };

    [Theory]
    [MemberData(nameof(Duplicates))]
    public async Task A_manifest_naming_a_column_or_class_twice_fails_that_model_only(string duplicate)
    {
        await new FileModelStore(StorePath).PublishAsync(_packages.Renamed(Models.HousePricesMain, "good"));
        var source = duplicate == "input" ? Models.HousePricesMain : Models.IrisModel;
        var manifest = source with
        {
            Name = "broken",
            Version = "v1",
            Artifacts = new Dictionary<string, ArtifactInfo> { [ModelManifest.ModelFileName] = source.Artifacts[ModelManifest.ModelFileName] },
            Onnx = null,
            Inputs = duplicate == "input" ? [.. source.Inputs, source.Inputs[0]] : source.Inputs,
            Label = duplicate == "class" ? source.Label with { Classes = [.. source.Label.Classes!, source.Label.Classes![0]] } : source.Label,
        };
        var broken = Directory.CreateDirectory(Path.Combine(StorePath, "broken", "versions", "v1")).FullName;
        File.Copy(Models.ModelPath(source), Path.Combine(broken, ModelManifest.ModelFileName));
        File.WriteAllBytes(Path.Combine(broken, ModelManifest.FileName), ManifestJson.Serialize(manifest));
        Directory.CreateDirectory(Path.Combine(StorePath, "broken", "aliases"));
        File.WriteAllText(
            Path.Combine(StorePath, "broken", "aliases", "production.json"),
            """{"model": "broken", "alias": "production", "version": "v1", "movedBy": "test", "movedUtc": "2026-01-01T00:00:00Z"}""");

        await using var app = new ServingApp(Models, HotReloadSettings.With(("Serving:Store", StorePath)));
        await AssertOnlyBrokenFailsAsync(app, TrainedModels.HousePrices);
        var client = app.CreateClient();
        (await client.GetAsync("/models/broken/openapi.json")).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, "a model that never loaded has no document");
        var listed = (await ServingApp.JsonAsync(await client.GetAsync("/models"))).EnumerateArray().Single(m => m.GetProperty("name").GetString() == "broken");
        listed.GetProperty("lastError").GetString().Should().Contain("listed twice").And.NotContain("Model store the model store");
    }

    [Fact]
    public async Task An_alias_naming_an_invalid_version_fails_that_model_only()
    {
        var store = new FileModelStore(StorePath);
        await store.PublishAsync(_packages.Renamed(Models.HousePricesMain, "good"));
        await store.PublishAsync(_packages.Renamed(Models.HousePricesOther, "good-2") is var dir ? Rename(dir, "broken") : dir);
        Directory.CreateDirectory(Path.Combine(StorePath, "broken", "aliases"));
        File.WriteAllText(Path.Combine(StorePath, "broken", "aliases", "production.json"), "{\"version\": \"../../etc\"}");

        await using var app = new ServingApp(Models, HotReloadSettings.With(("Serving:Store", StorePath)));
        await AssertOnlyBrokenFailsAsync(app, TrainedModels.HousePrices);
    }

    [Fact]
    public async Task A_malformed_manifest_in_a_blob_store_fails_that_model_only()
    {
        var container = await azurite.Server.CreateContainerAsync();
        var location = azurite.Server.StoreUriWithSas(container);
        await ModelStoreFactory.Open(location).PublishAsync(_packages.Renamed(Models.HousePricesMain, "good"));
        var blobs = azurite.Server.ServiceClient().GetBlobContainerClient(container);
        await blobs.GetBlobClient("broken/versions/v1/model.zip").UploadAsync(BinaryData.FromBytes(File.ReadAllBytes(Models.ModelPath(Models.HousePricesMain))));
        await blobs.GetBlobClient("broken/versions/v1/manifest.json").UploadAsync(BinaryData.FromString("{}"));

        await using var app = new ServingApp(Models, HotReloadSettings.With(("Serving:Store", location)));
        await AssertOnlyBrokenFailsAsync(app, TrainedModels.HousePrices);
    }

    [Fact]
    public async Task A_service_started_on_an_empty_store_serves_a_model_published_later()
    {
        Directory.CreateDirectory(StorePath);
        await using var app = new ServingApp(Models, HotReloadSettings.With(("Serving:Store", StorePath)));
        var client = app.CreateClient();
        (await client.GetAsync("/healthz/live")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/healthz/ready")).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, "nothing to serve yet");

        await new FileModelStore(StorePath).PublishAsync(_packages.Renamed(Models.HousePricesMain, "first"));

        var ready = await Eventually.StatusAsync(client, "/healthz/ready", HttpStatusCode.OK, HotReloadSettings.SwapDeadline);
        ready.Should().BeTrue("a model published after the start is found at the reload interval");
        var response = await client.PostAsync($"/models/{TrainedModels.HousePrices}/predict", ServingApp.Instances(TrainedModels.Instance(Models.HousePricesMain)));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.GetValues("X-Model-Version").Should().Equal("first");
    }

    [Fact]
    public async Task Model_listings_show_store_relative_sources_never_the_store_folder()
    {
        await using var app = new ServingApp(Models, HotReloadSettings.With());
        var client = await app.ReadyClientAsync();

        var listing = await client.GetStringAsync("/models");

        listing.Should().NotContain(Models.StoreDirectory).And.NotContain(Path.GetTempPath());
        var houses = JsonDocument.Parse(listing).RootElement.EnumerateArray().Single(m => m.GetProperty("name").GetString() == TrainedModels.HousePrices);
        houses.GetProperty("source").GetString().Should().Be("house-prices@production (else newest)");
    }

    private static string Rename(string dir, string name)
    {
        var path = Path.Combine(dir, ModelManifest.FileName);
        var manifest = ManifestJson.Deserialize(File.ReadAllBytes(path), path) with { Name = name };
        File.WriteAllBytes(path, ManifestJson.Serialize(manifest));
        return dir;
    }

    /// <summary>The good model serves and the app is ready; "broken" is listed as failed with a reason; the process is up.</summary>
    private static async Task AssertOnlyBrokenFailsAsync(ServingApp app, string good)
    {
        var client = await app.ReadyClientAsync();
        var response = await client.PostAsync($"/models/{good}/predict", ServingApp.Instances(TrainedModels.Instance(app.Models.HousePricesMain)));
        response.StatusCode.Should().Be(HttpStatusCode.OK);

        var broken = await Eventually.ValueAsync(
            async () => (await ServingApp.JsonAsync(await client.GetAsync("/models"))).EnumerateArray().FirstOrDefault(m => m.GetProperty("name").GetString() == "broken"),
            m => m.ValueKind == JsonValueKind.Object && m.GetProperty("lastError").ValueKind == JsonValueKind.String,
            HotReloadSettings.SwapDeadline);
        broken.GetProperty("status").GetString().Should().Be("failed");
        broken.GetProperty("lastError").GetString().Should().StartWith("broken");
        (await client.PostAsync("/models/broken/predict", ServingApp.Instances(TrainedModels.Instance(app.Models.HousePricesMain)))).StatusCode
            .Should().Be(HttpStatusCode.ServiceUnavailable);
        (await client.GetAsync("/healthz/live")).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
