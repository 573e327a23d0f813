using Azure.Storage.Blobs;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;

namespace MLPipeline.Shared.Tests.Store;

/// <summary>The store contract on Azure Blob Storage, against a real Azurite server; the store lives under a prefix, so blobs written beside it are seen too.</summary>
[Collection(AzuriteTests.Name)]
public sealed class BlobModelStoreContractTests(AzuriteFixture azurite) : ModelStoreContract
{
    private const string Prefix = "team/models";
    private BlobContainerClient _container = null!;

    public override async Task InitializeAsync()
    {
        var name = await azurite.Server.CreateContainerAsync();
        _container = azurite.Server.ServiceClient().GetBlobContainerClient(name);
        Store = ModelStoreFactory.Open(azurite.Server.StoreUri(name, Prefix), new BlobStoreOptions { ConnectionString = azurite.Server.ConnectionString });
        Store.Should().BeOfType<BlobModelStore>();
    }

    protected override async Task<IReadOnlyList<string>> ListRawAsync()
    {
        var names = new List<string>();
        await foreach (var blob in _container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }

    protected override Task WriteRawAsync(string path, byte[] content) =>
        _container.GetBlobClient($"{Prefix}/{path}").UploadAsync(BinaryData.FromBytes(content), overwrite: true);
}
