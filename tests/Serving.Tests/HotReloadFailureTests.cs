using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;
using MLPipeline.Shared.Manifest;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// A blob source (model.zip + manifest.json at a URI, real Azurite) that receives bad uploads under constant load:
/// each is refused before any swap, the old version keeps answering, and GET /models/{name} shows the error.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class HotReloadFailureTests(TrainedModelsFixture fixture, AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private const string Name = "direct";
    private readonly VersionPackages _packages = new(fixture.Models);

    private TrainedModels Models => fixture.Models;

    public void Dispose() => _packages.Dispose();

    [Fact]
    public async Task Bad_uploads_keep_the_old_version_serving_and_show_the_error()
    {
        var container = await azurite.Server.CreateContainerAsync();
        var blobs = azurite.Server.ServiceClient().GetBlobContainerClient(container);
        await UploadAsync(blobs, _packages.Renamed(Models.HousePricesMain, "good-1"));
        var uri = azurite.Server.StoreUriWithSas(container, "direct/model.zip");

        await using var app = new ServingApp(Models, HotReloadSettings.With(("Serving:Sources:0:Name", Name), ("Serving:Sources:0:Uri", uri)));
        var client = await app.ReadyClientAsync();
        await using var load = new PredictionLoad(app.CreateClient, Name, TrainedModels.Instance(Models.HousePricesMain), clients: 6);
        await load.WaitForVersionAsync("good-1", HotReloadSettings.SwapDeadline);

        var main = _packages.ModelBytes(Models.HousePricesMain);
        var garbage = new byte[20_000];
        new Random(7).NextBytes(garbage);
        (string Case, string Dir, string Expected)[] cases =
        [
            ("corrupt zip", _packages.WithModelBytes(Models.HousePricesMain, "bad-corrupt", garbage), "not a valid zip archive"),
            ("truncated zip", _packages.WithModelBytes(Models.HousePricesMain, "bad-truncated", main[..(main.Length / 2)]), "not a valid zip archive"),
            ("wrong hash", WrongHash(), "SHA-256"),
            ("incompatible schema", _packages.Renamed(Models.IrisModel, "bad-schema"), "incompatible input schema"),
        ];
        foreach (var (what, dir, expected) in cases)
        {
            // Each case waits for a failure of its own (the count goes up), not for a message an earlier case left.
            var failures = await LoadFailuresAsync(client);
            await UploadAsync(blobs, dir);
            var error = await WaitForErrorAsync(client, failures);
            error.Should().Contain(expected, what);
        }

        var before = await LoadFailuresAsync(client);
        await blobs.DeleteBlobAsync("direct/model.zip");
        (await WaitForErrorAsync(client, before)).Should().Contain("404");

        // A good version after all that is picked up by itself.
        await UploadAsync(blobs, _packages.Renamed(Models.HousePricesOther, "good-2"));
        await load.WaitForVersionAsync("good-2", HotReloadSettings.SwapDeadline);
        var answers = await load.StopAsync();

        answers.Where(a => a.Status != 200).Should().BeEmpty("a failed reload must not fail a request");
        answers.Select(a => a.Version).Distinct().Should().BeEquivalentTo(["good-1", "good-2"]);
        var status = (await ServingApp.JsonAsync(await client.GetAsync($"/models/{Name}"))).GetProperty("model");
        status.GetProperty("status").GetString().Should().Be("ready");
        status.GetProperty("lastError").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
        var metrics = await client.GetStringAsync("/metrics");
        metrics.Should().MatchRegex("mlpipeline_model_load_failures_total\\{model=\"direct\"\\} [1-9]");

        string WrongHash()
        {
            // A loadable model, but the manifest beside it describes other bytes.
            var dir = _packages.Renamed(Models.HousePricesMain, "bad-hash");
            File.WriteAllBytes(Path.Combine(dir, ModelManifest.ModelFileName), _packages.ModelBytes(Models.HousePricesOther));
            return dir;
        }
    }

    [Fact]
    public async Task A_revoked_sas_keeps_the_model_serving_and_shows_the_403()
    {
        var container = await azurite.Server.CreateContainerAsync();
        var blobs = azurite.Server.ServiceClient().GetBlobContainerClient(container);
        await UploadAsync(blobs, _packages.Renamed(Models.HousePricesMain, "good-1"));

        // The SAS takes its validity from a stored access policy, so it can be ended once the app is ready, however
        // long the start took.
        await blobs.SetAccessPolicyAsync(permissions: [Policy(DateTimeOffset.UtcNow.AddHours(1))]);
        var sas = new BlobSasBuilder { BlobContainerName = container, Resource = "c", Identifier = PolicyId }
            .ToSasQueryParameters(new StorageSharedKeyCredential(AzuriteServer.AccountName, AzuriteServer.AccountKey));
        var uri = $"{azurite.Server.StoreUri(container, "direct/model.zip")}?{sas}";

        await using var app = new ServingApp(Models, HotReloadSettings.With(("Serving:Sources:0:Name", Name), ("Serving:Sources:0:Uri", uri)));
        var client = await app.ReadyClientAsync();
        await using var load = new PredictionLoad(app.CreateClient, Name, TrainedModels.Instance(Models.HousePricesMain), clients: 4);
        await load.WaitForVersionAsync("good-1", HotReloadSettings.SwapDeadline);
        var failures = await LoadFailuresAsync(client);
        await blobs.SetAccessPolicyAsync(permissions: [Policy(DateTimeOffset.UtcNow.AddMinutes(-5))]);

        (await WaitForErrorAsync(client, failures)).Should().Contain("checking for a new version failed").And.Contain("403");
        var answers = await load.StopAsync();

        answers.Should().NotBeEmpty();
        answers.Where(a => a.Status != 200).Should().BeEmpty();
    }

    private const string PolicyId = "serving";

    private static BlobSignedIdentifier Policy(DateTimeOffset expires) => new()
    {
        Id = PolicyId,
        AccessPolicy = new BlobAccessPolicy { PolicyStartsOn = DateTimeOffset.UtcNow.AddHours(-1), PolicyExpiresOn = expires, Permissions = "r" },
    };

    private static async Task<int> LoadFailuresAsync(HttpClient client) =>
        (await ServingApp.JsonAsync(await client.GetAsync($"/models/{Name}"))).GetProperty("loadFailures").GetInt32();

    /// <summary>Waits (bounded) for a failed load or check after the first <paramref name="failuresBefore"/>; the old version still serves.</summary>
    private static async Task<string> WaitForErrorAsync(HttpClient client, int failuresBefore)
    {
        var details = await Eventually.ValueAsync(
            async () => await ServingApp.JsonAsync(await client.GetAsync($"/models/{Name}")),
            d => d.GetProperty("loadFailures").GetInt32() > failuresBefore && d.GetProperty("model").GetProperty("lastError").GetString() is not null,
            HotReloadSettings.SwapDeadline);
        var model = details.GetProperty("model");
        model.GetProperty("status").GetString().Should().Be("degraded");
        model.GetProperty("version").GetString().Should().Be("good-1");
        return model.GetProperty("lastError").GetString()!;
    }

    /// <summary>Manifest first, then the model (the watcher follows model.zip, so it sees the pair complete).</summary>
    private static async Task UploadAsync(BlobContainerClient blobs, string dir)
    {
        await blobs.GetBlobClient("direct/manifest.json").UploadAsync(BinaryData.FromBytes(VersionPackages.Manifest(dir)), overwrite: true);
        await blobs.GetBlobClient("direct/model.zip").UploadAsync(BinaryData.FromBytes(VersionPackages.Model(dir)), overwrite: true);
    }
}
