using Azure;
using MLPipeline.Shared.Store;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Data;

/// <summary>
/// data.path as a blob URI (<c>https://&lt;account&gt;.blob.core.windows.net/&lt;container&gt;/&lt;path&gt;</c>): downloaded once
/// into the temp folder with the store's credential chain (SAS in the URI, connection string, DefaultAzureCredential),
/// then read with the same checks, hash and messages as a local file. Disposing deletes the copy.
/// </summary>
public sealed class BlobDataFile : IDisposable
{
    private BlobDataFile(string path) => Path = path;

    public string Path { get; }

    /// <summary>Opens the local copy, whatever path the reader asks for (the blob URI, in its messages).</summary>
    public Stream Open(string _) => File.OpenRead(Path);

    /// <returns>Null when data.path is a local file.</returns>
    /// <exception cref="DataException">The blob does not exist or cannot be read (exit code 2).</exception>
    /// <param name="folder">Where the copy goes.</param>
    public static async Task<BlobDataFile?> FetchAsync(TrainingSpec spec, string folder, CancellationToken cancellationToken)
    {
        if (!spec.DataIsBlob)
        {
            return null;
        }

        BlobStoreLocation.IsBlobUri(spec.Data.Path, out var uri);
        var location = BlobStoreLocation.Parse(uri);
        if (location.Prefix.Length == 0)
        {
            throw new DataException($"{location.Display}: data.path names a container, not a blob (spec {spec.SourcePath}).");
        }

        var (container, _) = BlobContainerConnector.Connect(location, BlobStoreOptions.FromEnvironment());
        var path = System.IO.Path.Combine(folder, $"mlpipeline-data-{Guid.NewGuid():N}.csv");
        try
        {
            await container.GetBlobClient(location.Prefix).DownloadToAsync(path, cancellationToken);
            return new BlobDataFile(path);
        }
        catch (RequestFailedException ex)
        {
            File.Delete(path);
            throw new DataException(ex.Status == 404
                ? $"{location.Display}: data file not found (spec {spec.SourcePath}, data.path '{spec.Data.Path}')."
                : $"{location.Display}: cannot read the data file ({ex.Status} {ex.ErrorCode}).", ex);
        }
    }

    public void Dispose() => File.Delete(Path);
}
