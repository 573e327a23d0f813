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

        var path = Uri.TryCreate(location, UriKind.Absolute, out var uri) && uri.IsFile ? uri.LocalPath : location;
        return new FileModelStore(path);
    }
}
