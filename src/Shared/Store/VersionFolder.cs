using MLPipeline.Shared.Manifest;

namespace MLPipeline.Shared.Store;

/// <summary>A local folder holding one version's artifacts and its manifest, ready to publish.</summary>
public static class VersionFolder
{
    /// <summary>
    /// Reads and validates the folder's manifest, then checks every artifact it lists against its size and SHA-256.
    /// </summary>
    /// <exception cref="InvalidManifestException">The manifest is not valid (names the file and the field).</exception>
    public static ModelManifest ReadVerified(string directory)
    {
        var manifestPath = Path.Combine(directory, ModelManifest.FileName);
        if (!File.Exists(manifestPath))
        {
            throw new ModelNotFoundException($"{directory} has no {ModelManifest.FileName}: not a complete model version.");
        }

        var manifest = ManifestReader.ReadLocal(File.ReadAllBytes(manifestPath), Path.GetFullPath(manifestPath));
        foreach (var file in manifest.Artifacts.Keys)
        {
            var path = ContainedPath.Combine(directory, file);
            if (!File.Exists(path))
            {
                throw new ModelIntegrityException($"{directory}: artifact '{file}' listed in the manifest is missing.");
            }

            ArtifactHash.Verify(manifest, file, File.ReadAllBytes(path), directory);
        }

        return manifest;
    }
}
