namespace MLPipeline.Shared.Store;

/// <summary>
/// Opens a store from its one location string: a folder path or <c>file://</c> URI, or a blob container URI
/// (<c>https://&lt;account&gt;.blob.core.windows.net/&lt;container&gt;[/&lt;prefix&gt;]</c>, or Azurite's
/// <c>http://127.0.0.1:&lt;port&gt;/devstoreaccount1/&lt;container&gt;[/&lt;prefix&gt;]</c>).
/// </summary>
public static class ModelStoreFactory
{
    public const string DefaultLocation = "models";

    /// <param name="location">The location string; null or blank: <see cref="DefaultLocation"/>.</param>
    /// <param name="blobOptions">Credentials and retries for blob stores (default: <see cref="BlobStoreOptions.FromEnvironment"/>).</param>
    public static IModelStore Open(string? location, BlobStoreOptions? blobOptions = null)
    {
        location = string.IsNullOrWhiteSpace(location) ? DefaultLocation : location.Trim();
        if (BlobStoreLocation.IsBlobUri(location, out var blobUri))
        {
            return new BlobModelStore(BlobStoreLocation.Parse(blobUri), blobOptions);
        }

        if (Uri.TryCreate(location, UriKind.Absolute, out var uri) && !uri.IsFile)
        {
            // Taken as a folder, ftp://host/models or a mistyped htps://... would become ./ftp:/host/models, and
            // every publish would succeed where no service looks.
            throw new ModelStoreException(
                $"Store '{location}': '{uri.Scheme}:' is not a store scheme; use a folder path (./{location} for a folder of that name), file://, or an http(s) blob container URI.");
        }

        return new FileModelStore(uri?.LocalPath ?? location);
    }
}
