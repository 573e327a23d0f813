using MLPipeline.Shared.Manifest;

namespace MLPipeline.Shared.Store;

/// <summary>A local folder holding one version's artifacts and its manifest, ready to publish.</summary>
public static class VersionFolder
{
    /// <summary>Reads the folder's manifest and checks every artifact it lists against its size and SHA-256.</summary>
    public static ModelManifest ReadVerified(string directory)
    {
        var manifestPath = Path.Combine(directory, ModelManifest.FileName);
        if (!File.Exists(manifestPath))
        {
            throw new ModelNotFoundException($"{directory} has no {ModelManifest.FileName}: not a complete model version.");
        }

        var manifest = ManifestJson.Deserialize(File.ReadAllBytes(manifestPath), manifestPath);
        StoreNames.Check(manifest.Name, "model name");
        StoreNames.Check(manifest.Version, "version");
        foreach (var file in manifest.Artifacts.Keys)
        {
            var path = Path.Combine(directory, file);
            if (!File.Exists(path))
            {
                throw new ModelIntegrityException($"{directory}: artifact '{file}' listed in the manifest is missing.");
            }

            ArtifactHash.Verify(manifest, file, File.ReadAllBytes(path), directory);
        }

        return manifest;
    }
}
