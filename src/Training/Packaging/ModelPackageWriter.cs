using Microsoft.ML;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;

namespace MLPipeline.Training.Packaging;

/// <summary>
/// Writes a version folder: model.zip first, then any other artifacts, then manifest.json with every
/// artifact's SHA-256 and size. The folder is what the model store publishes.
/// </summary>
public static class ModelPackageWriter
{
    /// <param name="parent">The folder the package is staged under: the system's temp folder unless a caller gives its own.</param>
    public static string CreateStagingDirectory(string? parent = null)
    {
        var dir = Path.Combine(parent ?? Path.GetTempPath(), "mlpipeline", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static void SaveModel(MLContext ml, ITransformer model, DataViewSchema inputSchema, string directory) =>
        ml.Model.Save(model, inputSchema, Path.Combine(directory, ModelManifest.ModelFileName));

    /// <summary>A version name that sorts by time and is unique per model: UTC time plus the model's hash prefix.</summary>
    public static string NewVersion(DateTimeOffset createdUtc, string modelSha256) =>
        $"{createdUtc.UtcDateTime:yyyyMMdd-HHmmss}-{modelSha256[..6]}";

    /// <summary>Describes every artifact in the folder and writes the manifest last.</summary>
    public static ModelManifest WriteManifest(string directory, ModelManifest manifest)
    {
        var artifacts = Directory.EnumerateFiles(directory)
            .Where(f => Path.GetFileName(f) != ModelManifest.FileName)
            .Order(StringComparer.Ordinal)
            .ToDictionary(f => Path.GetFileName(f), ArtifactHash.Describe);
        var complete = manifest with { Artifacts = artifacts };
        var temp = Path.Combine(directory, ModelManifest.FileName + ".tmp");
        File.WriteAllBytes(temp, ManifestJson.Serialize(complete));
        File.Move(temp, Path.Combine(directory, ModelManifest.FileName), overwrite: true);
        return complete;
    }
}
