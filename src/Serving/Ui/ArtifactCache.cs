using Microsoft.Extensions.Caching.Memory;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Ui;

/// <summary>
/// Artifacts the pages show (report.md, plots), read from the store with their SHA-256 checked, and kept: a version is
/// immutable, so a cached artifact never goes stale. Bounded by size; model files are never read here.
/// </summary>
public sealed class ArtifactCache(StoreCatalog catalog) : IDisposable
{
    /// <summary>Larger artifacts are not shown by the pages (model.zip, model.onnx are only listed).</summary>
    public const long MaxArtifactBytes = 8 * 1024 * 1024;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 64 * 1024 * 1024 });

    public static bool IsShown(string file) =>
        file.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".md", StringComparison.OrdinalIgnoreCase);

    /// <summary>The artifact's bytes, or null when the manifest does not list it or the pages do not show it.</summary>
    public async Task<byte[]?> ReadAsync(ModelManifest manifest, string file, CancellationToken cancellationToken)
    {
        if (!IsShown(file) || !manifest.Artifacts.TryGetValue(file, out var info) || info.Size > MaxArtifactBytes)
        {
            return null;
        }

        var key = $"{manifest.Name}/{manifest.Version}/{file}";
        if (_cache.TryGetValue(key, out byte[]? cached))
        {
            return cached;
        }

        var bytes = await catalog.Store.ReadArtifactAsync(manifest, file, cancellationToken);
        _cache.Set(key, bytes, new MemoryCacheEntryOptions { Size = bytes.Length });
        return bytes;
    }

    public void Dispose() => _cache.Dispose();
}
