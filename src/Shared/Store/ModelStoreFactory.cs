namespace MLPipeline.Shared.Store;

/// <summary>Opens a store from its one location string: a folder path or a <c>file://</c> URI.</summary>
public static class ModelStoreFactory
{
    public const string DefaultLocation = "models";

    public static IModelStore Open(string? location)
    {
        location = string.IsNullOrWhiteSpace(location) ? DefaultLocation : location.Trim();
        if (Uri.TryCreate(location, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            throw new ModelStoreException($"Store '{location}': blob storage stores are not supported by this build.");
        }

        var path = Uri.TryCreate(location, UriKind.Absolute, out uri) && uri.IsFile ? uri.LocalPath : location;
        return new FileModelStore(path);
    }
}
