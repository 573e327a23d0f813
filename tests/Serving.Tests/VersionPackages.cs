using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// Version folders for reload tests, made from the trained models: the same model.zip (so a real, loadable model)
/// under a new version name, or deliberately broken copies (corrupt, truncated, wrong hash).
/// </summary>
public sealed class VersionPackages(TrainedModels models) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mlpipeline-reload-").FullName;

    /// <summary>A folder with <paramref name="source"/>'s model.zip and manifest, renamed to <paramref name="version"/>.</summary>
    public string Renamed(ModelManifest source, string version)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, version)).FullName;
        var folder = Path.GetDirectoryName(models.ModelPath(source))!;
        foreach (var artifact in source.Artifacts.Keys)
        {
            File.Copy(Path.Combine(folder, artifact), Path.Combine(dir, artifact));
        }

        File.WriteAllBytes(Path.Combine(dir, ModelManifest.FileName), ManifestJson.Serialize(source with { Version = version }));
        return dir;
    }

    /// <summary>A folder whose model.zip is <paramref name="bytes"/>, with a manifest that describes those bytes truthfully.</summary>
    public string WithModelBytes(ModelManifest source, string version, byte[] bytes)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, version)).FullName;
        var model = Path.Combine(dir, ModelManifest.ModelFileName);
        File.WriteAllBytes(model, bytes);
        var artifacts = new Dictionary<string, ArtifactInfo> { [ModelManifest.ModelFileName] = ArtifactHash.Describe(model) };
        File.WriteAllBytes(Path.Combine(dir, ModelManifest.FileName), ManifestJson.Serialize(source with { Version = version, Artifacts = artifacts }));
        return dir;
    }

    public byte[] ModelBytes(ModelManifest manifest) => File.ReadAllBytes(models.ModelPath(manifest));

    public static byte[] Manifest(string dir) => File.ReadAllBytes(Path.Combine(dir, ModelManifest.FileName));

    public static byte[] Model(string dir) => File.ReadAllBytes(Path.Combine(dir, ModelManifest.ModelFileName));

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
