using Azure;
using Azure.Identity;
using Azure.Storage.Blobs;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Loading;

/// <summary>
/// A model.zip in Azure Blob Storage (or Azurite). Credentials, in order: a SAS in the URI, the connection string in
/// MLPIPELINE_STORAGE_CONNECTION_STRING, DefaultAzureCredential (managed identity AZURE_CLIENT_ID in Azure). The SDK
/// turns every non-success status into an exception, so an error body never reaches Model.Load.
/// </summary>
public sealed class BlobModelLoader : IModelLoader
{
    public const string ConnectionStringVariable = "MLPIPELINE_STORAGE_CONNECTION_STRING";

    private static readonly BlobClientOptions ClientOptions = new()
    {
        Retry = { MaxRetries = 3, Delay = TimeSpan.FromMilliseconds(500), MaxDelay = TimeSpan.FromSeconds(5), NetworkTimeout = TimeSpan.FromSeconds(30) },
    };

    private readonly BlobClient _model;
    private readonly BlobClient _manifest;

    public BlobModelLoader(Uri uri)
    {
        var parts = new BlobUriBuilder(uri);
        if (string.IsNullOrEmpty(parts.BlobContainerName) || string.IsNullOrEmpty(parts.BlobName))
        {
            throw new ModelSourceException($"Blob URI {Redact(uri)} does not name a container and a blob.");
        }

        var manifestName = parts.BlobName.Contains('/', StringComparison.Ordinal)
            ? parts.BlobName[..(parts.BlobName.LastIndexOf('/') + 1)] + ModelManifest.FileName
            : ModelManifest.FileName;
        var connectionString = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        BlobContainerClient container;
        if (parts.Sas?.Signature is { Length: > 0 })
        {
            _model = new BlobClient(uri, ClientOptions);
            var manifestParts = new BlobUriBuilder(uri) { BlobName = manifestName };
            _manifest = new BlobClient(manifestParts.ToUri(), ClientOptions);
            Description = $"blob {Redact(uri)} (SAS)";
            return;
        }
        else if (!string.IsNullOrWhiteSpace(connectionString))
        {
            container = new BlobContainerClient(connectionString, parts.BlobContainerName, ClientOptions);
            Description = $"blob {Redact(uri)} (connection string)";
        }
        else
        {
            var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = Environment.GetEnvironmentVariable("AZURE_CLIENT_ID"),
            });
            var containerUri = new BlobUriBuilder(uri) { BlobName = "", Query = "" }.ToUri();
            container = new BlobContainerClient(containerUri, credential, ClientOptions);
            Description = $"blob {Redact(uri)} (Entra ID)";
        }

        _model = container.GetBlobClient(parts.BlobName);
        _manifest = container.GetBlobClient(manifestName);
    }

    public string Description { get; }

    /// <summary>The model blob, for the reload watcher's conditional checks.</summary>
    internal BlobClient ModelBlob => _model;

    public async Task<ModelPackage> FetchAsync(CancellationToken cancellationToken)
    {
        try
        {
            var download = await _model.DownloadContentAsync(cancellationToken);
            var status = download.GetRawResponse().Status;
            if (status != 200)
            {
                throw new ModelSourceException($"{Description}: HTTP {status} instead of 200.");
            }

            ModelManifest? manifest = null;
            try
            {
                var manifestDownload = await _manifest.DownloadContentAsync(cancellationToken);
                manifest = ManifestJson.Deserialize(manifestDownload.Value.Content.ToMemory().Span, _manifest.Uri.GetLeftPart(UriPartial.Path));
            }
            catch (RequestFailedException ex) when (ex.Status is 403 or 404)
            {
                // No manifest beside the model (or the SAS covers only the model blob): the schema comes from the model.
            }

            return new ModelPackage(download.Value.Content.ToArray(), manifest, Description, download.Value.Details.ETag.ToString());
        }
        catch (RequestFailedException ex)
        {
            throw new ModelSourceException($"{Description}: {(ex.Status == 0 ? ex.Message : $"HTTP {ex.Status} {ex.ErrorCode}")}.", ex);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is RequestFailedException))
        {
            // The SDK's retries gave up; the last attempt says why.
            throw new ModelSourceException($"{Description}: {ex.InnerExceptions[^1].Message}", ex);
        }
        catch (AuthenticationFailedException ex)
        {
            throw new ModelSourceException($"{Description}: no credential could sign in ({ex.Message}).", ex);
        }
        catch (InvalidDataException ex)
        {
            throw new ModelSourceException($"{Description}: {ex.Message}", ex);
        }
    }

    private static string Redact(Uri uri) => uri.GetLeftPart(UriPartial.Path);
}
