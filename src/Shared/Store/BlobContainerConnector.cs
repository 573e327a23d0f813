using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;

namespace MLPipeline.Shared.Store;

/// <summary>
/// Builds the container client for a store URI, choosing the credential in the documented order: a SAS in the
/// URI, else a connection string, else DefaultAzureCredential.
/// </summary>
public static class BlobContainerConnector
{
    public static (BlobContainerClient Client, BlobCredentialKind Kind) Connect(BlobStoreLocation location, BlobStoreOptions options)
    {
        var clientOptions = ClientOptions(options);
        if (location.Sas is not null)
        {
            return (new BlobContainerClient(location.ContainerUriWithSas, clientOptions), BlobCredentialKind.Sas);
        }

        var connectionString = options.ConnectionString ?? Environment.GetEnvironmentVariable(BlobStoreOptions.ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return (FromConnectionString(location, connectionString, clientOptions), BlobCredentialKind.ConnectionString);
        }

        if (location.ServiceUri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ModelStoreException(
                $"Store {location.Display}: no SAS in the URI and no connection string in {BlobStoreOptions.ConnectionStringVariable}, "
                + "and a token credential (DefaultAzureCredential) needs https. For Azurite set the connection string.");
        }

        TokenCredential credential = options.Credential ?? new DefaultAzureCredential();
        return (new BlobContainerClient(location.ContainerUri, credential, clientOptions), BlobCredentialKind.TokenCredential);
    }

    private static BlobContainerClient FromConnectionString(BlobStoreLocation location, string connectionString, BlobClientOptions clientOptions)
    {
        BlobServiceClient service;
        try
        {
            service = new BlobServiceClient(connectionString, clientOptions);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            // The exception text may quote the connection string: never pass it on.
            throw new ModelStoreException(
                $"Store {location.Display}: {BlobStoreOptions.ConnectionStringVariable} is not a valid storage connection string "
                + "(expected e.g. DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;EndpointSuffix=core.windows.net).");
        }

        // A key for one account sent to another fails with a confusing 403: say what really is wrong.
        var expected = location.ServiceUri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        var actual = service.Uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        if (!string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelStoreException(
                $"Store {location.Display}: {BlobStoreOptions.ConnectionStringVariable} is for the blob endpoint {actual}, not {expected}; "
                + "use the connection string of the store's account or put a SAS in the store URI.");
        }

        return service.GetBlobContainerClient(location.Container);
    }

    private static BlobClientOptions ClientOptions(BlobStoreOptions options)
    {
        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = options.MaxRetries;
        clientOptions.Retry.Delay = options.RetryDelay;
        clientOptions.Retry.MaxDelay = options.MaxRetryDelay;
        clientOptions.Retry.NetworkTimeout = options.NetworkTimeout;
        return clientOptions;
    }
}
