using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MLPipeline.Shared.Store;

namespace MLPipeline.Training.Distributed;

/// <summary>
/// The files of distributed runs in the model store (<c>runs/&lt;run-id&gt;/...</c>): the plan and one file per trial.
/// Writes are create-only, so a trial a second worker finishes too is recorded once, by whoever was first.
/// </summary>
public abstract class RunFiles
{
    public const string RunsFolder = "runs";

    public abstract string Location { get; }

    /// <summary>Writes the file unless it exists; false when it did.</summary>
    public abstract Task<bool> TryCreateAsync(string path, byte[] content, CancellationToken cancellationToken);

    /// <summary>The file's bytes, or null when it does not exist.</summary>
    public abstract Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken);

    /// <summary>The store location string of --store (already defaulted from MLPIPELINE_STORE): a blob container URI or a folder.</summary>
    public static RunFiles Open(string? storeLocation)
    {
        var location = string.IsNullOrWhiteSpace(storeLocation) ? ModelStoreFactory.DefaultLocation : storeLocation.Trim();
        if (BlobStoreLocation.IsBlobUri(location, out var uri))
        {
            var blob = BlobStoreLocation.Parse(uri);
            var (client, _) = BlobContainerConnector.Connect(blob, BlobStoreOptions.FromEnvironment());
            return new Blobs(client, blob.Prefix, blob.Display);
        }

        var folder = Uri.TryCreate(location, UriKind.Absolute, out var file) && file.IsFile ? file.LocalPath : location;
        return new Folder(Path.GetFullPath(folder));
    }

    private sealed class Blobs(BlobContainerClient container, string prefix, string display) : RunFiles
    {
        public override string Location => display;

        public override async Task<bool> TryCreateAsync(string path, byte[] content, CancellationToken cancellationToken)
        {
            try
            {
                await Blob(path).UploadAsync(new BinaryData(content), new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                return false;
            }
            catch (RequestFailedException ex) when (ex.Status == 404 && ex.ErrorCode == "ContainerNotFound")
            {
                await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                return await TryCreateAsync(path, content, cancellationToken);
            }
            catch (RequestFailedException ex)
            {
                throw new ModelStoreException($"Store {display}: cannot write {path} ({ex.Status} {ex.ErrorCode}).", ex);
            }
        }

        public override async Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken)
        {
            try
            {
                return (await Blob(path).DownloadContentAsync(cancellationToken)).Value.Content.ToArray();
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return null;
            }
            catch (RequestFailedException ex)
            {
                throw new ModelStoreException($"Store {display}: cannot read {path} ({ex.Status} {ex.ErrorCode}).", ex);
            }
        }

        private BlobClient Blob(string path) => container.GetBlobClient(prefix.Length == 0 ? path : $"{prefix}/{path}");
    }

    private sealed class Folder(string root) : RunFiles
    {
        public override string Location => root;

        public override async Task<bool> TryCreateAsync(string path, byte[] content, CancellationToken cancellationToken)
        {
            var full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);

            // Written beside, then linked into place without replacing: a reader never sees half a file.
            var staging = full + $".{Guid.NewGuid():N}.tmp";
            await File.WriteAllBytesAsync(staging, content, cancellationToken);
            try
            {
                File.Move(staging, full, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(full))
            {
                File.Delete(staging);
                return false;
            }
        }

        public override async Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken)
        {
            var full = Path.Combine(root, path);
            return File.Exists(full) ? await File.ReadAllBytesAsync(full, cancellationToken) : null;
        }
    }
}
