using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Loading;

/// <summary>
/// A model source: fetches the bytes of one model version and, when the source has one, its manifest. Loaders only
/// fetch; loading, checking, warming up and swapping are the pool's job, so every source gets the same checks (and a
/// future watcher only has to call the pool's load again when its source changes).
/// </summary>
public interface IModelLoader
{
    /// <summary>A human description of the source (no secrets), shown by GET /models/{name}.</summary>
    string Description { get; }

    /// <exception cref="ModelSourceException">The source could not deliver a model.</exception>
    Task<ModelPackage> FetchAsync(CancellationToken cancellationToken);
}

/// <summary>What a loader fetched: model.zip bytes, the manifest if the source has one, and the source's change token.</summary>
public sealed record ModelPackage(byte[] ModelBytes, ModelManifest? Manifest, string Source, string? ETag)
{
    /// <summary>The store alias that resolved to this version, when one did.</summary>
    public string? Alias { get; init; }
}

/// <summary>A source failed to deliver: unreachable, refused, missing, or inconsistent.</summary>
public sealed class ModelSourceException : Exception
{
    public ModelSourceException(string message) : base(message) { }

    public ModelSourceException(string message, Exception innerException) : base(message, innerException) { }
}
