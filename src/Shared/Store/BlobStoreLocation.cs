using Azure.Storage.Blobs;

namespace MLPipeline.Shared.Store;

/// <summary>
/// A blob container URI split into what the store needs: the account endpoint, the container, an optional
/// prefix inside it and an optional SAS token. <see cref="Display"/> is the URI without any secret, for
/// messages and <see cref="IModelStore.Location"/>.
/// </summary>
public sealed record BlobStoreLocation
{
    private BlobStoreLocation(Uri serviceUri, string accountName, string container, string prefix, string? sas, string display)
    {
        ServiceUri = serviceUri;
        AccountName = accountName;
        Container = container;
        Prefix = prefix;
        Sas = sas;
        Display = display;
    }

    /// <summary>The account's blob endpoint, e.g. https://acct.blob.core.windows.net or http://127.0.0.1:10000/devstoreaccount1.</summary>
    public Uri ServiceUri { get; }

    public string AccountName { get; }

    public string Container { get; }

    /// <summary>Folder inside the container that holds the store ("" for the container root), without slashes at either end.</summary>
    public string Prefix { get; }

    /// <summary>The SAS query string (without '?'), or null when the URI carries none.</summary>
    public string? Sas { get; }

    /// <summary>The location with the SAS removed: safe to print.</summary>
    public string Display { get; }

    /// <summary>The container URI without any SAS.</summary>
    public Uri ContainerUri => new BlobUriBuilder(ServiceUri) { BlobContainerName = Container }.ToUri();

    /// <summary>The container URI with the SAS, for a SAS-authenticated client.</summary>
    public Uri ContainerUriWithSas => new UriBuilder(ContainerUri) { Query = Sas ?? "" }.Uri;

    /// <summary>True when the location string is an http(s) URI, i.e. names a blob container rather than a folder.</summary>
    public static bool IsBlobUri(string location, out Uri uri) =>
        Uri.TryCreate(location, UriKind.Absolute, out uri!) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    /// <exception cref="ModelStoreException">The URI does not name an account and a container.</exception>
    public static BlobStoreLocation Parse(Uri uri)
    {
        var builder = new BlobUriBuilder(uri);
        var sas = string.IsNullOrEmpty(builder.Sas?.Signature) ? null : builder.Sas.ToString();
        builder.Sas = null;
        builder.Query = null;
        var display = builder.ToUri().ToString().TrimEnd('/');

        if (string.IsNullOrEmpty(builder.AccountName))
        {
            throw new ModelStoreException(
                $"Store '{display}' names no storage account: use https://<account>.blob.core.windows.net/<container>[/<prefix>] or http://127.0.0.1:<port>/devstoreaccount1/<container>[/<prefix>] for Azurite.");
        }

        if (string.IsNullOrEmpty(builder.BlobContainerName))
        {
            throw new ModelStoreException($"Store '{display}' names no container: add it to the path, e.g. {display}/models.");
        }

        var prefix = (builder.BlobName ?? "").Trim('/');
        foreach (var segment in prefix.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!StoreNames.IsValid(segment))
            {
                throw new ModelStoreException($"Store '{display}': prefix segment '{segment}' is not allowed; use letters, digits, '.', '_' or '-'.");
            }
        }

        var service = new BlobUriBuilder(uri) { BlobContainerName = "", BlobName = "", Sas = null, Query = null }.ToUri();
        return new BlobStoreLocation(service, builder.AccountName, builder.BlobContainerName, prefix, sas, display);
    }
}
