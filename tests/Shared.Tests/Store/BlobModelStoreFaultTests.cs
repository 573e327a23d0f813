using Azure.Storage.Sas;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;

namespace MLPipeline.Shared.Tests.Store;

/// <summary>What only a blob store can get wrong: credentials, containers, endpoints, prefixes, resumed publishes.</summary>
[Collection(AzuriteTests.Name)]
public sealed class BlobModelStoreFaultTests(AzuriteFixture azurite) : IDisposable
{
    private readonly List<string> _packages = [];

    private AzuriteServer Azurite => azurite.Server;

    private BlobStoreOptions WithKey => new() { ConnectionString = Azurite.ConnectionString };

    public void Dispose()
    {
        foreach (var dir in _packages)
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_missing_container_is_reported_with_the_uri_and_what_to_do()
    {
        var store = ModelStoreFactory.Open(Azurite.StoreUri("no-such-container"), WithKey);

        var failure = await FluentActions.Awaiting(() => store.ListModelsAsync()).Should().ThrowAsync<ModelStoreException>();
        failure.WithMessage($"Model store {Azurite.StoreUri("no-such-container")}: listing models failed: container 'no-such-container' does not exist*az storage container create*");
        await FluentActions.Awaiting(() => store.PublishAsync(Package("house", "v1")))
            .Should().ThrowAsync<ModelStoreException>().WithMessage("*container 'no-such-container' does not exist*");
    }

    [Fact]
    public async Task A_wrong_account_key_is_refused_with_403_without_showing_the_key()
    {
        var container = await Azurite.CreateContainerAsync();
        var store = ModelStoreFactory.Open(Azurite.StoreUri(container), new BlobStoreOptions { ConnectionString = Azurite.ConnectionStringWithKey(AzuriteServer.WrongKey) });

        var failure = await FluentActions.Awaiting(() => store.ListModelsAsync()).Should().ThrowAsync<ModelStoreException>();
        failure.WithMessage($"Model store {Azurite.StoreUri(container)}: listing models failed: access refused (HTTP 403*{BlobStoreOptions.ConnectionStringVariable}*");
        failure.Which.Message.Should().NotContain(AzuriteServer.WrongKey).And.NotContain(AzuriteServer.AccountKey);
        await FluentActions.Awaiting(() => store.FindAliasAsync("house", "production"))
            .Should().ThrowAsync<ModelStoreException>().WithMessage("*reading alias house@production failed: access refused*");
    }

    [Fact]
    public async Task A_sas_signed_with_a_wrong_key_is_refused_and_never_shown()
    {
        var container = await Azurite.CreateContainerAsync();
        var uri = Azurite.StoreUriWithSas(container, key: AzuriteServer.WrongKey);
        var store = ModelStoreFactory.Open(uri, WithKey);

        store.Location.Should().Be(Azurite.StoreUri(container));
        var failure = await FluentActions.Awaiting(() => store.ListModelsAsync()).Should().ThrowAsync<ModelStoreException>();
        failure.WithMessage("*access refused (HTTP 403*Check the SAS token*");
        failure.Which.Message.Should().NotContain("sig=");
    }

    [Fact]
    public async Task A_read_only_sas_reads_the_store_but_cannot_publish()
    {
        var container = await Azurite.CreateContainerAsync();
        await ModelStoreFactory.Open(Azurite.StoreUri(container), WithKey).PublishAsync(Package("house", "v1"));
        var readOnly = ModelStoreFactory.Open(
            Azurite.StoreUriWithSas(container, permissions: BlobContainerSasPermissions.Read | BlobContainerSasPermissions.List),
            new BlobStoreOptions { ConnectionString = Azurite.ConnectionStringWithKey(AzuriteServer.WrongKey) });

        (await readOnly.ListModelsAsync()).Should().Equal("house");
        var manifest = await readOnly.ResolveAsync(ModelReference.Parse("house:v1"));
        (await readOnly.ReadArtifactAsync(manifest, ModelManifest.ModelFileName)).Should().NotBeEmpty();
        await FluentActions.Awaiting(() => readOnly.PublishAsync(Package("house", "v2")))
            .Should().ThrowAsync<ModelStoreException>().WithMessage("*publishing house:v2 failed: access refused (HTTP 403*write*");
        (await readOnly.ListVersionsAsync("house")).Select(m => m.Version).Should().Equal("v1");
    }

    [Fact]
    public async Task An_endpoint_that_does_not_answer_fails_after_the_configured_retries()
    {
        using var endpoint = new RefusingListener();
        var options = new BlobStoreOptions
        {
            ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteServer.AccountKey};BlobEndpoint=http://127.0.0.1:{endpoint.Port}/devstoreaccount1;",
        };
        var store = ModelStoreFactory.Open($"http://127.0.0.1:{endpoint.Port}/devstoreaccount1/models", options);

        await FluentActions.Awaiting(() => store.ListModelsAsync())
            .Should().ThrowAsync<ModelStoreException>().WithMessage("*did not answer (after retries)*Azurite*");
        endpoint.Connections.Should().Be(options.MaxRetries + 1, "one attempt and the configured retries, then the store reports itself down");
    }

    [Fact]
    public void A_connection_string_for_another_endpoint_is_refused_before_any_request()
    {
        FluentActions.Invoking(() => ModelStoreFactory.Open(
                "https://acct.blob.core.windows.net/models",
                new BlobStoreOptions { ConnectionString = Azurite.ConnectionString }))
            .Should().Throw<ModelStoreException>().WithMessage($"*{BlobStoreOptions.ConnectionStringVariable} is for the blob endpoint {Azurite.BlobEndpoint}*not https://acct.blob.core.windows.net*");
    }

    [Fact]
    public async Task Stores_under_different_prefixes_of_one_container_do_not_see_each_other()
    {
        var container = await Azurite.CreateContainerAsync();
        var teamA = ModelStoreFactory.Open(Azurite.StoreUri(container, "team-a"), WithKey);
        var teamB = ModelStoreFactory.Open(Azurite.StoreUri(container, "team-b"), WithKey);
        var root = ModelStoreFactory.Open(Azurite.StoreUri(container), WithKey);

        await teamA.PublishAsync(Package("house", "v1"));
        await teamB.PublishAsync(Package("iris", "v1"));

        (await teamA.ListModelsAsync()).Should().Equal("house");
        (await teamB.ListModelsAsync()).Should().Equal("iris");
        (await root.ListModelsAsync()).Should().BeEmpty("team-a/house/versions/... is not <name>/versions/...");
        var blobs = new List<string>();
        await foreach (var blob in Azurite.ServiceClient().GetBlobContainerClient(container).GetBlobsAsync())
        {
            blobs.Add(blob.Name);
        }

        blobs.Should().BeEquivalentTo("team-a/house/versions/v1/model.zip", "team-a/house/versions/v1/manifest.json",
            "team-b/iris/versions/v1/model.zip", "team-b/iris/versions/v1/manifest.json");
    }

    [Fact]
    public async Task A_publish_that_stopped_before_the_manifest_can_be_resumed_with_the_same_build_only()
    {
        var container = await Azurite.CreateContainerAsync();
        var store = ModelStoreFactory.Open(Azurite.StoreUri(container), WithKey);
        var package = Package("house", "v1");
        var raw = Azurite.ServiceClient().GetBlobContainerClient(container);
        // The same artifact uploaded the way the store does it, then the "crash": no manifest.
        await raw.GetBlobClient("house/versions/v1/model.zip").UploadAsync(
            new Uri(Path.Combine(package, "model.zip")).LocalPath,
            new Azure.Storage.Blobs.Models.BlobUploadOptions
            {
                Metadata = new Dictionary<string, string> { ["sha256"] = VersionFolder.ReadVerified(package).Artifacts["model.zip"].Sha256 },
            });
        (await store.FindVersionAsync("house", "v1")).Should().BeNull();

        await FluentActions.Awaiting(() => store.PublishAsync(Package("house", "v1")))
            .Should().ThrowAsync<ModelVersionExistsException>().WithMessage("*artifact 'model.zip' already holds different content*");
        (await store.PublishAsync(package)).Version.Should().Be("v1");
        (await store.ListVersionsAsync("house")).Should().ContainSingle();
    }

    private string Package(string name, string version)
    {
        var dir = TestModelPackage.Create(name, version);
        _packages.Add(dir);
        return dir;
    }
}
