using System.Text.Json;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Shared.Store;

/// <summary>
/// The one way manifests are read, from a store or a local version folder: parsed and validated, or refused with
/// an <see cref="InvalidManifestException"/> naming the file and the field. No other exception type escapes.
/// </summary>
public static class ManifestReader
{
    /// <summary>A manifest found at <c>&lt;name&gt;/versions/&lt;version&gt;/manifest.json</c>: it must describe that very version.</summary>
    public static ModelManifest ReadStored(ReadOnlySpan<byte> utf8, string storeLocation, string name, string version) =>
        Read(utf8, StoredPath(name, version), storeLocation, name, version);

    /// <summary>A manifest in a local folder (to publish, or beside a model.zip): any valid name and version.</summary>
    public static ModelManifest ReadLocal(ReadOnlySpan<byte> utf8, string path) => Read(utf8, path, null, null, null);

    /// <summary>Where a version's manifest lives, relative to the store's root.</summary>
    public static string StoredPath(string name, string version) => $"{StoreNames.VersionPath(name, version)}/{ModelManifest.FileName}";

    private static ModelManifest Read(ReadOnlySpan<byte> utf8, string file, string? store, string? name, string? version)
    {
        ModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(utf8, ManifestJsonContext.Default.ModelManifest);
        }
        catch (JsonException ex)
        {
            throw new InvalidManifestException(file, store, new ManifestProblem(ex.Path ?? "$", $"not a valid manifest ({ex.Message})"), ex);
        }

        return ManifestValidator.FindProblem(manifest, name, version) is { } problem
            ? throw new InvalidManifestException(file, store, problem)
            : manifest!;
    }
}
