using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Loading;

/// <summary>
/// A model in a model store: a fixed version, an alias, or (with <see cref="ModelReference.Alias"/> and
/// <see cref="ModelReference.Version"/> both null) the preferred alias if the model has it, else its newest version.
/// The store verifies the model.zip against the manifest's SHA-256.
/// </summary>
public sealed class StoreModelLoader(IModelStore store, ModelReference reference, string? preferredAlias = null) : IModelLoader
{
    public IModelStore Store { get; } = store;

    public ModelReference Reference { get; } = reference;

    /// <summary>The alias this loader follows, if any.</summary>
    public string? Alias => Reference.Alias ?? preferredAlias;

    public string Description => $"store {Store.Location} {Reference}{(Reference.Alias is null && Reference.Version is null && preferredAlias is not null ? $" (alias {preferredAlias}, else newest)" : "")}";

    public async Task<ModelPackage> FetchAsync(CancellationToken cancellationToken)
    {
        try
        {
            ModelManifest manifest;
            string? etag = null;
            string source;
            string? resolvedAlias = null;
            if (Reference.Alias is null && Reference.Version is null && preferredAlias is not null
                && await Store.FindAliasAsync(Reference.Name, preferredAlias, cancellationToken) is { } alias)
            {
                manifest = await Store.FindVersionAsync(Reference.Name, alias.Version, cancellationToken)
                    ?? throw new ModelSourceException($"Alias {Reference.Name}@{preferredAlias} points at version {alias.Version}, which {Store.Location} does not have.");
                etag = alias.ETag;
                resolvedAlias = preferredAlias;
                source = $"{Store.Location} {Reference.Name}@{preferredAlias}";
            }
            else
            {
                manifest = await Store.ResolveAsync(Reference, cancellationToken);
                if (Reference.Alias is not null)
                {
                    etag = (await Store.FindAliasAsync(Reference.Name, Reference.Alias, cancellationToken))?.ETag;
                    resolvedAlias = Reference.Alias;
                }

                source = $"{Store.Location} {Reference}";
            }

            var bytes = await Store.ReadArtifactAsync(manifest, ModelManifest.ModelFileName, cancellationToken);
            return new ModelPackage(bytes, manifest, source, etag) { Alias = resolvedAlias };
        }
        catch (ModelStoreException ex)
        {
            throw new ModelSourceException(ex.Message, ex);
        }
    }
}
