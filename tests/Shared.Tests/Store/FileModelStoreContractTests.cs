using MLPipeline.Shared.Store;

namespace MLPipeline.Shared.Tests.Store;

/// <summary>The store contract on the folder backend.</summary>
public sealed class FileModelStoreContractTests : ModelStoreContract
{
    private string _root = "";

    public override Task InitializeAsync()
    {
        _root = Directory.CreateTempSubdirectory("store-").FullName;
        Store = ModelStoreFactory.Open(new Uri(_root).AbsoluteUri);
        Store.Should().BeOfType<FileModelStore>();
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    protected override Task WriteRawAsync(string path, byte[] content)
    {
        var full = Path.Combine(_root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return File.WriteAllBytesAsync(full, content);
    }
}
