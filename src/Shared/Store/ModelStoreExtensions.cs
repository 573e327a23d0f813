using MLPipeline.Shared.Manifest;

namespace MLPipeline.Shared.Store;

/// <summary>Operations composed from the store contract, identical on every backend.</summary>
public static class ModelStoreExtensions
{
    /// <summary>Resolves a reference to the manifest of a complete version.</summary>
    public static async Task<ModelManifest> ResolveAsync(this IModelStore store, ModelReference reference, CancellationToken cancellationToken = default)
    {
        string version;
        if (reference.Alias is not null)
        {
            var alias = await store.FindAliasAsync(reference.Name, reference.Alias, cancellationToken)
                ?? throw new ModelNotFoundException($"Alias {reference} does not exist in {store.Location}.");
            version = alias.Version;
        }
        else if (reference.Version is not null)
        {
            version = reference.Version;
        }
        else
        {
            var versions = await store.ListVersionsAsync(reference.Name, cancellationToken);
            version = versions.Count > 0
                ? versions[^1].Version
                : throw new ModelNotFoundException($"Model '{reference.Name}' has no versions in {store.Location}.");
        }

        return await store.FindVersionAsync(reference.Name, version, cancellationToken)
            ?? throw new ModelNotFoundException($"Version {reference.Name}:{version} does not exist in {store.Location}.");
    }

    /// <summary>Moves an alias to a version, conditional on the alias as just read.</summary>
    public static Task<AliasRecord> PromoteAsync(this IModelStore store, string name, string version, string alias, CancellationToken cancellationToken = default) =>
        store.PromoteAsync(name, version, alias, seen: null, movedBy: null, cancellationToken);

    /// <summary>
    /// Moves an alias to a version, conditional on the alias as just read and, when <paramref name="seen"/> is given, on
    /// the alias being still as it was seen (the web page's confirmation step).
    /// </summary>
    /// <param name="movedBy">Recorded in the alias file; null: <see cref="AliasMover.Identity"/>.</param>
    /// <exception cref="AliasConflictException">The alias moved since it was seen or read.</exception>
    public static async Task<AliasRecord> PromoteAsync(this IModelStore store, string name, string version, string alias, SeenAlias? seen, string? movedBy, CancellationToken cancellationToken = default)
    {
        var current = await ReadAsSeenAsync(store, name, alias, seen, cancellationToken);
        return await store.MoveAliasAsync(name, alias, version, current, movedBy, cancellationToken);
    }

    /// <summary>Moves an alias back to the version it pointed at before its last move.</summary>
    public static Task<AliasRecord> RollbackAsync(this IModelStore store, string name, string alias, CancellationToken cancellationToken = default) =>
        store.RollbackAsync(name, alias, seen: null, movedBy: null, cancellationToken);

    /// <summary>Moves an alias back to its previous version, conditional like <see cref="PromoteAsync(IModelStore, string, string, string, SeenAlias?, string?, CancellationToken)"/>.</summary>
    public static async Task<AliasRecord> RollbackAsync(this IModelStore store, string name, string alias, SeenAlias? seen, string? movedBy, CancellationToken cancellationToken = default)
    {
        var current = await ReadAsSeenAsync(store, name, alias, seen, cancellationToken)
            ?? throw new ModelNotFoundException($"Alias {name}@{alias} does not exist in {store.Location}.");
        var previous = current.PreviousVersion
            ?? throw new ModelStoreException($"Alias {name}@{alias} has no previous version to roll back to.");
        return await store.MoveAliasAsync(name, alias, previous, current, movedBy, cancellationToken);
    }

    private static async Task<AliasRecord?> ReadAsSeenAsync(IModelStore store, string name, string alias, SeenAlias? seen, CancellationToken cancellationToken)
    {
        var current = await store.FindAliasAsync(name, alias, cancellationToken);
        return seen is null || seen.Matches(current) ? current : throw new AliasConflictException(name, alias, store.Location);
    }

    /// <summary>Downloads every artifact of a version, verified, and its manifest into a folder.</summary>
    /// <exception cref="InvalidManifestException">An artifact name would resolve outside the folder; nothing was written.</exception>
    public static async Task DownloadAsync(this IModelStore store, ModelManifest manifest, string targetDirectory, CancellationToken cancellationToken = default)
    {
        // Every destination is resolved and checked before anything is written, whatever validated the manifest.
        var destinations = manifest.Artifacts.Keys.ToDictionary(
            file => file,
            file => ContainedPath.Resolve(targetDirectory, file) ?? throw new InvalidManifestException(
                ManifestReader.StoredPath(manifest.Name, manifest.Version),
                store.Location,
                new ManifestProblem($"artifacts[{ArtifactName.Quote(file)}]", $"would be written outside the download folder {Path.GetFullPath(targetDirectory)}")),
            StringComparer.Ordinal);
        Directory.CreateDirectory(targetDirectory);
        foreach (var (file, destination) in destinations)
        {
            var bytes = await store.ReadArtifactAsync(manifest, file, cancellationToken);
            await File.WriteAllBytesAsync(destination, bytes, cancellationToken);
        }

        await File.WriteAllBytesAsync(Path.Combine(targetDirectory, ModelManifest.FileName), ManifestJson.Serialize(manifest), cancellationToken);
    }
}
