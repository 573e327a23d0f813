using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;

namespace MLPipeline.Shared.Tests.Rollout;

/// <summary>
/// A store that holds every write of rollout.json until <paramref name="readers"/> reads of it happened, so racing
/// judges are certain to have read the same record before any of them writes: the race is forced, not hoped for.
/// </summary>
internal sealed class ReadersFirstStore(IModelStore inner, int readers) : IModelStore
{
    private readonly TaskCompletionSource _allRead = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _reads;

    public string Location => inner.Location;

    public async Task<StoredDocument?> FindDocumentAsync(string name, string path, CancellationToken cancellationToken = default)
    {
        var document = await inner.FindDocumentAsync(name, path, cancellationToken);
        if (path == "rollout.json" && Interlocked.Increment(ref _reads) >= readers)
        {
            _allRead.TrySetResult();
        }

        return document;
    }

    public async Task<string> WriteDocumentAsync(string name, string path, ReadOnlyMemory<byte> content, DocumentCondition condition, CancellationToken cancellationToken = default)
    {
        if (path == "rollout.json" && condition != DocumentCondition.Absent)
        {
            await _allRead.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }

        return await inner.WriteDocumentAsync(name, path, content, condition, cancellationToken);
    }

    public Task<IReadOnlyList<string>> ListDocumentsAsync(string name, string folder, CancellationToken cancellationToken = default) => inner.ListDocumentsAsync(name, folder, cancellationToken);

    public Task<bool> DeleteDocumentAsync(string name, string path, CancellationToken cancellationToken = default) => inner.DeleteDocumentAsync(name, path, cancellationToken);

    public Task<ModelManifest> PublishAsync(string versionDirectory, CancellationToken cancellationToken = default) => inner.PublishAsync(versionDirectory, cancellationToken);

    public Task WriteRecordsAsync(string name, string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) => inner.WriteRecordsAsync(name, path, content, cancellationToken);

    public Task<IReadOnlyList<string>> ListRecordsAsync(string name, string folder, CancellationToken cancellationToken = default) => inner.ListRecordsAsync(name, folder, cancellationToken);

    public Task<byte[]> ReadRecordsAsync(string name, string path, CancellationToken cancellationToken = default) => inner.ReadRecordsAsync(name, path, cancellationToken);

    public Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken = default) => inner.ListModelsAsync(cancellationToken);

    public Task<IReadOnlyList<ModelManifest>> ListVersionsAsync(string name, CancellationToken cancellationToken = default) => inner.ListVersionsAsync(name, cancellationToken);

    public Task<VersionListing> ScanVersionsAsync(string name, CancellationToken cancellationToken = default) => inner.ScanVersionsAsync(name, cancellationToken);

    public Task<ModelManifest?> FindVersionAsync(string name, string version, CancellationToken cancellationToken = default) => inner.FindVersionAsync(name, version, cancellationToken);

    public Task<IReadOnlyList<AliasRecord>> ListAliasesAsync(string name, CancellationToken cancellationToken = default) => inner.ListAliasesAsync(name, cancellationToken);

    public Task<AliasRecord?> FindAliasAsync(string name, string alias, CancellationToken cancellationToken = default) => inner.FindAliasAsync(name, alias, cancellationToken);

    public Task<AliasRecord> MoveAliasAsync(string name, string alias, string version, AliasRecord? expected, string? movedBy = null, CancellationToken cancellationToken = default) =>
        inner.MoveAliasAsync(name, alias, version, expected, movedBy, cancellationToken);

    public Task<byte[]> ReadArtifactAsync(ModelManifest manifest, string fileName, CancellationToken cancellationToken = default) => inner.ReadArtifactAsync(manifest, fileName, cancellationToken);
}
