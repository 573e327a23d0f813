using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;

namespace MLPipeline.Shared.Tests.Store;

/// <summary>The store contract on the folder backend; the store is a subfolder, so files written beside it are seen too.</summary>
public sealed class FileModelStoreContractTests : ModelStoreContract
{
    private string _outer = "";
    private string _root = "";

    public override Task InitializeAsync()
    {
        _outer = Directory.CreateTempSubdirectory("store-").FullName;
        _root = Directory.CreateDirectory(Path.Combine(_outer, "store")).FullName;
        Store = ModelStoreFactory.Open(new Uri(_root).AbsoluteUri);
        Store.Should().BeOfType<FileModelStore>();
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_outer, recursive: true);
    }

    protected override Task<IReadOnlyList<string>> ListRawAsync() => Task.FromResult(CraftedPackage.FilesUnder(_outer));

    protected override Task WriteRawAsync(string path, byte[] content)
    {
        var full = Path.Combine(_root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return File.WriteAllBytesAsync(full, content);
    }
}
