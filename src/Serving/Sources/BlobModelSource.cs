using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Sources;

/// <summary>
/// A model.zip blob outside any store (a manifest.json beside it is used when present, and then its hashes must match).
/// Clients come from Shared's connector: one credential chain (SAS in the URI, connection string, Entra ID) and one
/// retry policy for stores and sources. A change is a HEAD with If-None-Match on the served ETag: 304 is unchanged.
/// </summary>
public sealed class BlobModelSource : IModelSource
{
    /// <summary>Fetches tried when the blob keeps changing under the download (412 on the ETag condition).</summary>
    private const int MaxAttempts = 3;

    private readonly BlobStoreLocation _container;
    private readonly BlobClient _model;
    private readonly BlobClient _manifest;
    private readonly BlobCredentialKind _credential;
    private readonly ModelSizeLimits _limits;

    /// <summary>A blob with the default poll interval and size limits.</summary>
    public BlobModelSource(Uri uri)
        : this(uri, new ReloadOptions().PollInterval, new LimitOptions().ModelSize)
    {
    }

    /// <exception cref="ModelSourceException">The URI does not name a container and a blob, or no credential fits it.</exception>
    public BlobModelSource(Uri uri, TimeSpan pollInterval, ModelSizeLimits limits)
    {
        PollInterval = pollInterval;
        _limits = limits;
        var parts = new BlobUriBuilder(uri);
        var blobName = parts.BlobName;
        if (string.IsNullOrEmpty(parts.BlobContainerName) || string.IsNullOrEmpty(blobName))
        {
            throw new ModelSourceException($"Blob URI {uri.GetLeftPart(UriPartial.Path)} does not name a container and a blob.");
        }

        Location = blobName;
        parts.BlobName = "";
        try
        {
            _container = BlobStoreLocation.Parse(parts.ToUri());
            (var container, _credential) = BlobContainerConnector.Connect(_container, BlobStoreOptions.FromEnvironment());
            _model = container.GetBlobClient(blobName);
            var folder = blobName.Contains('/', StringComparison.Ordinal) ? blobName[..(blobName.LastIndexOf('/') + 1)] : "";
            _manifest = container.GetBlobClient(folder + ModelManifest.FileName);
        }
        catch (ModelStoreException ex)
        {
            throw new ModelSourceException($"{Location}: {ex.Message}", ex);
        }
    }

    public string Location { get; }

    public string Description => $"blob {_container.Display}/{Location} ({_credential})";

    public TimeSpan PollInterval { get; }

    public async Task<ModelPackage> FetchAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // The size first, so an oversized blob is never downloaded; the download is then held to that ETag.
                var properties = (await _model.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
                _limits.CheckDownload(Location, properties.ContentLength);
                var download = await _model.DownloadContentAsync(new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = properties.ETag } }, cancellationToken);
                return new ModelPackage(download.Value.Content.ToArray(), await ManifestAsync(cancellationToken), Location, properties.ETag.ToString()) { Format = ModelPackage.FormatOf(Location) };
            }
            catch (RequestFailedException ex) when (ex.Status == 412 && attempt < MaxAttempts)
            {
                // A new upload landed between the size check and the download: fetch that one instead.
            }
            catch (Exception ex) when (BlobFailures.IsStoreFailure(ex))
            {
                throw Failed("downloading the model", ex);
            }
        }
    }

    public async Task<bool> HasChangedAsync(ModelGeneration served, CancellationToken cancellationToken)
    {
        try
        {
            var conditions = served.Origin.ETag is { Length: > 0 } etag ? new BlobRequestConditions { IfNoneMatch = new ETag(etag) } : null;
            var properties = await _model.GetPropertiesAsync(conditions, cancellationToken);
            return properties.Value.ETag.ToString() != served.Origin.ETag;
        }
        catch (RequestFailedException ex) when (ex.Status == 304)
        {
            return false;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new ModelSourceException($"{Location}: the blob was deleted (HTTP 404); the served version stays.", ex);
        }
        catch (Exception ex) when (BlobFailures.IsStoreFailure(ex))
        {
            throw Failed("checking for a new version", ex);
        }
    }

    /// <summary>The manifest beside the model; none (404, or a SAS that covers only the model blob) means the model describes itself.</summary>
    private async Task<ModelManifest?> ManifestAsync(CancellationToken cancellationToken)
    {
        try
        {
            var content = (await _manifest.DownloadContentAsync(cancellationToken)).Value.Content;
            return ManifestJson.Deserialize(content.ToMemory().Span, _manifest.Name);
        }
        catch (RequestFailedException ex) when (ex.Status is 403 or 404)
        {
            return null;
        }
        catch (Exception ex) when (ex is InvalidDataException or ModelStoreException)
        {
            throw new ModelSourceException($"{Location}: {ex.Message}", ex);
        }
    }

    /// <summary>The project's wording of the failure; the account and container stay out of it (callers see it).</summary>
    private ModelSourceException Failed(string action, Exception ex) =>
        new($"{Location}: {BlobFailures.Translate(ex, _container, _credential, action).Message.Replace(_container.Display, "the blob container", StringComparison.Ordinal)}", ex);
}
