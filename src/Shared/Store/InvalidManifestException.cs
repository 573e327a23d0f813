using MLPipeline.Shared.Manifest;

namespace MLPipeline.Shared.Store;

/// <summary>
/// A manifest that cannot be trusted: not JSON, missing or null fields, an artifact name that is not a plain file
/// name, or a name/version other than where it was found. The message names the file and the field.
/// </summary>
public sealed class InvalidManifestException : ModelStoreException
{
    /// <param name="file">The manifest: store-relative (<c>house/versions/v1/manifest.json</c>) or a local path.</param>
    /// <param name="store">The store's location when the manifest was read from a store.</param>
    public InvalidManifestException(string file, string? store, ManifestProblem problem, Exception? innerException = null)
        : base($"{(store is null ? "" : $"Model store {store}: ")}{file}: invalid manifest: {problem}", innerException)
    {
        File = file;
        Store = store;
        Problem = problem;
    }

    public string File { get; }

    public string? Store { get; }

    public ManifestProblem Problem { get; }
}
