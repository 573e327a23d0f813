using MLPipeline.Shared.Manifest;

namespace MLPipeline.Shared.Store;

/// <summary>
/// A model store: immutable, verified model versions and movable aliases, with one layout on every backend:
/// <c>&lt;name&gt;/versions/&lt;version&gt;/{model.zip, model.onnx?, manifest.json}</c> and
/// <c>&lt;name&gt;/aliases/&lt;alias&gt;.json</c>; monitoring records under <c>&lt;name&gt;/logs/</c> and
/// <c>&lt;name&gt;/feedback/</c> (<see cref="RecordPaths"/>).
/// </summary>
public interface IModelStore
{
    /// <summary>The location string this store was opened from (secrets removed).</summary>
    string Location { get; }

    /// <summary>
    /// Publishes a local version folder (artifacts + manifest.json). Artifacts are checked against the manifest
    /// first, uploaded without overwriting, and the manifest goes last: until then the version is invisible.
    /// </summary>
    /// <exception cref="ModelVersionExistsException">The version was already published.</exception>
    /// <exception cref="InvalidManifestException">The folder's manifest is not valid; nothing was written.</exception>
    Task<ModelManifest> PublishAsync(string versionDirectory, CancellationToken cancellationToken = default);

    /// <summary>Names of the models that have at least one version with a manifest (valid or not).</summary>
    Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Complete versions of a model, oldest first. A version whose manifest is invalid is skipped, like one without
    /// a manifest: one bad file cannot hide the model's other versions (see <see cref="ScanVersionsAsync"/>).
    /// </summary>
    Task<IReadOnlyList<ModelManifest>> ListVersionsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>What <see cref="ListVersionsAsync"/> lists, plus why each skipped version's manifest is invalid.</summary>
    Task<VersionListing> ScanVersionsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The manifest of a complete version, or null when there is none.</summary>
    /// <exception cref="InvalidManifestException">The version's manifest is not valid or describes another version.</exception>
    Task<ModelManifest?> FindVersionAsync(string name, string version, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<AliasRecord>> ListAliasesAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The alias with the ETag it was read at, or null when it does not exist.</summary>
    Task<AliasRecord?> FindAliasAsync(string name, string alias, CancellationToken cancellationToken = default);

    /// <summary>
    /// Points an alias at a complete version, only if the alias is still where <paramref name="expected"/> says
    /// (null: the alias must not exist yet). The previous version is kept for rollback.
    /// </summary>
    /// <param name="movedBy">Who asks for the move, recorded in the alias file; null: <see cref="AliasMover.Identity"/>.</param>
    /// <exception cref="AliasConflictException">Someone moved the alias since it was read.</exception>
    Task<AliasRecord> MoveAliasAsync(string name, string alias, string version, AliasRecord? expected, string? movedBy = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// A small document beside the versions and aliases (<c>&lt;name&gt;/&lt;path&gt;</c>, e.g. <c>rollout.json</c>), with
    /// the ETag it was read at; null when it does not exist. The store does not interpret its content.
    /// </summary>
    Task<StoredDocument?> FindDocumentAsync(string name, string path, CancellationToken cancellationToken = default);

    /// <summary>Writes a document when <paramref name="condition"/> holds, and returns its new ETag.</summary>
    /// <exception cref="DocumentConflictException">The document changed, or exists, since it was read.</exception>
    Task<string> WriteDocumentAsync(string name, string path, ReadOnlyMemory<byte> content, DocumentCondition condition, CancellationToken cancellationToken = default);

    /// <summary>The documents directly in a folder of the model (e.g. <c>rollout-stats</c>), as paths relative to the model, ordered.</summary>
    Task<IReadOnlyList<string>> ListDocumentsAsync(string name, string folder, CancellationToken cancellationToken = default);

    /// <summary>Deletes a document unconditionally (figures a finished rollout no longer needs); false when it did not exist.</summary>
    Task<bool> DeleteDocumentAsync(string name, string path, CancellationToken cancellationToken = default);

    /// <summary>Reads one artifact in full and checks its size and SHA-256 against the manifest.</summary>
    /// <exception cref="ModelIntegrityException">The bytes do not match the manifest.</exception>
    Task<byte[]> ReadArtifactAsync(ModelManifest manifest, string fileName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes one monitoring record file at <paramref name="path"/> (relative to the model, see <see cref="RecordPaths"/>),
    /// create-only: a file never changes once written, and a reader sees it whole or not at all.
    /// </summary>
    /// <exception cref="RecordExistsException">A file already exists at that path.</exception>
    Task WriteRecordsAsync(string name, string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>The record files under <paramref name="folder"/> (<c>logs</c>, <c>feedback</c>, or deeper), relative to the model, ordinal order.</summary>
    Task<IReadOnlyList<string>> ListRecordsAsync(string name, string folder, CancellationToken cancellationToken = default);

    /// <summary>One record file's bytes.</summary>
    /// <exception cref="ModelNotFoundException">There is no such file.</exception>
    Task<byte[]> ReadRecordsAsync(string name, string path, CancellationToken cancellationToken = default);
}
