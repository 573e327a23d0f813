using MLPipeline.Serving.Options;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Sources;

/// <summary>One pinned version of a store model (<c>name:version</c>, and the versions loaded on demand): it never changes.</summary>
public sealed class StoreVersionSource(IModelStore store, string name, string version, ModelSizeLimits limits) : IStoreModelSource
{
    public IModelStore Store { get; } = store;

    public string Name { get; } = name;

    public string Version { get; } = version;

    public string Location => $"{Name}:{Version}";

    public string Description => $"store {Store.Location} {Location}";

    public async Task<ModelPackage> FetchAsync(CancellationToken cancellationToken)
    {
        try
        {
            var manifest = await Store.FindVersionAsync(Name, Version, cancellationToken)
                ?? throw new ModelSourceException($"Version {Location} is not in the model store.");
            return await ReadAsync(Store, manifest, Location, null, null, limits, cancellationToken);
        }
        catch (ModelStoreException ex)
        {
            throw Failed(Store, Location, "reading the version", ex);
        }
    }

    /// <summary>Reads a version's model file (model.zip, or model.onnx of an imported ONNX model), refusing one larger than the limit before a byte is downloaded.</summary>
    internal static async Task<ModelPackage> ReadAsync(IModelStore store, ModelManifest manifest, string location, string? alias, string? etag, ModelSizeLimits limits, CancellationToken cancellationToken)
    {
        var file = manifest.ModelFile;
        if (!manifest.Artifacts.TryGetValue(file, out var artifact))
        {
            throw new ModelSourceException($"{location}: the manifest of version {manifest.Version} lists no {file}.");
        }

        limits.CheckDownload(location, artifact.Size);
        var bytes = await store.ReadArtifactAsync(manifest, file, cancellationToken);
        var (onnx, problem) = await ReadOnnxAsync(store, manifest, limits, cancellationToken);
        return new ModelPackage(bytes, manifest, location, etag) { Alias = alias, OnnxBytes = onnx, OnnxProblem = problem };
    }

    /// <summary>
    /// model.onnx when the manifest says it was exported (and passed parity): ONNX Runtime may then score batches. A
    /// model.onnx that cannot be read leaves the version to ML.NET; the reason shows in GET /models/{name}.
    /// </summary>
    private static async Task<(byte[]? Bytes, string? Problem)> ReadOnnxAsync(IModelStore store, ModelManifest manifest, ModelSizeLimits limits, CancellationToken cancellationToken)
    {
        if (manifest.Onnx?.Exported != true || !manifest.Artifacts.TryGetValue(ModelManifest.OnnxFileName, out var artifact))
        {
            return (null, null);
        }

        if (artifact.Size > limits.MaxModelBytes)
        {
            return (null, $"{ModelManifest.OnnxFileName} is larger than Serving:Limits:MaxModelBytes.");
        }

        try
        {
            return (await store.ReadArtifactAsync(manifest, ModelManifest.OnnxFileName, cancellationToken), null);
        }
        catch (ModelStoreException ex)
        {
            return (null, $"{ModelManifest.OnnxFileName} could not be read: {WithoutLocation(store, ex)}");
        }
    }

    /// <summary>A store failure as this source's own message: the store's folder or URI is left out (callers see it).</summary>
    internal static ModelSourceException Failed(IModelStore store, string location, string action, ModelStoreException ex) =>
        new($"{location}: {action} failed: {WithoutLocation(store, ex)}", ex);

    // The store's messages begin "Model store <location>: ", which says nothing more here.
    private static string WithoutLocation(IModelStore store, ModelStoreException ex) =>
        ex.Message.Replace($"Model store {store.Location}: ", "", StringComparison.Ordinal).Replace(store.Location, "the model store", StringComparison.Ordinal);
}
