using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;
using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Sources;

/// <summary>
/// Where one model comes from: it fetches a version and tells, cheaply, whether the source now holds another one.
/// Loading, checking, warming up and swapping are the pool's job, so every source gets the same checks. A custom source
/// only has to fetch; without change detection it is loaded once (and again on POST /models/{name}/reload).
/// </summary>
public interface IModelSource : IDisposable
{
    /// <summary>Where the source is, relative to its store or folder: safe to show any caller (no path, account or SAS).</summary>
    string Location { get; }

    /// <summary>The full location for operators (admin role and logs): no secrets.</summary>
    string Description => Location;

    /// <summary>How long to wait between change checks when nothing signals one; infinite for a source that never changes.</summary>
    TimeSpan PollInterval => Timeout.InfiniteTimeSpan;

    /// <exception cref="ModelSourceException">The source could not deliver a model.</exception>
    Task<ModelPackage> FetchAsync(CancellationToken cancellationToken);

    /// <summary>True when the source holds something other than <paramref name="served"/>.</summary>
    /// <exception cref="ModelSourceException">The source could not be checked (down, refused, deleted).</exception>
    Task<bool> HasChangedAsync(ModelGeneration served, CancellationToken cancellationToken) => Task.FromResult(false);

    /// <summary>Fires when the source announces a change by itself (file events); a token that never fires otherwise.</summary>
    IChangeToken Watch() => NullChangeToken.Singleton;

    void IDisposable.Dispose() => GC.SuppressFinalize(this);
}

/// <summary>What a source fetched: the model file's bytes (model.zip, or model.onnx of an imported ONNX model), the manifest if the source has one, and the source's change token.</summary>
public sealed record ModelPackage(byte[] ModelBytes, ModelManifest? Manifest, string Source, string? ETag)
{
    /// <summary>What the bytes are when no manifest says it: a direct source's <c>.onnx</c> file is ONNX.</summary>
    public ModelFormat Format { get; init; } = ModelFormat.MLNet;

    /// <summary>The format a direct source's file name implies.</summary>
    public static ModelFormat FormatOf(string fileName) =>
        fileName.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? ModelFormat.Onnx : ModelFormat.MLNet;

    /// <summary>The store alias that resolved to this version, when one did.</summary>
    public string? Alias { get; init; }

    /// <summary>model.onnx, when the manifest lists it as exported and the source could read it.</summary>
    public byte[]? OnnxBytes { get; init; }

    /// <summary>Why a model.onnx the manifest lists is not here (it could not be read), or null.</summary>
    public string? OnnxProblem { get; init; }
}

/// <summary>
/// A source failed to deliver: unreachable, refused, missing, too large or inconsistent. The message is the project's
/// own (what failed and what to check, no SDK text, no secret); the inner exception carries the details for the log.
/// </summary>
public sealed class ModelSourceException : Exception
{
    public ModelSourceException(string message) : base(message) { }

    public ModelSourceException(string message, Exception innerException) : base(message, innerException) { }
}
