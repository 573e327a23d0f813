using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Loading;

/// <summary>A model.zip on disk; a manifest.json beside it, when present, supplies the schema and the expected SHA-256.</summary>
public sealed class FileModelLoader(string path) : IModelLoader
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public string Description => $"file {Path}";

    public async Task<ModelPackage> FetchAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path))
        {
            throw new ModelSourceException($"Model file {Path} does not exist.");
        }

        try
        {
            var bytes = await File.ReadAllBytesAsync(Path, cancellationToken);
            var info = new FileInfo(Path);
            var manifestPath = System.IO.Path.Combine(info.DirectoryName!, ModelManifest.FileName);
            ModelManifest? manifest = null;
            if (File.Exists(manifestPath))
            {
                manifest = ManifestJson.Deserialize(await File.ReadAllBytesAsync(manifestPath, cancellationToken), manifestPath);
            }

            return new ModelPackage(bytes, manifest, Path, ChangeTag(info));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new ModelSourceException($"Model file {Path}: {ex.Message}", ex);
        }
    }

    /// <summary>The file's ETag: last write time and length (what the reload watcher compares).</summary>
    internal static string ChangeTag(FileInfo info) => $"\"{info.LastWriteTimeUtc.Ticks:x}-{info.Length:x}\"";
}
