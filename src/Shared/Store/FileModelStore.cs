using System.Text.Json;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Shared.Store;

/// <summary>
/// The model store in a local folder. A version is staged under a hidden name and renamed into place in one
/// step, so a reader sees either nothing or the whole version; alias moves are serialized by a lock file and
/// conditional on the alias file's content hash, the folder's equivalent of a blob ETag.
/// </summary>
public sealed class FileModelStore : IModelStore
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StaleLockAge = TimeSpan.FromMinutes(2);
    private readonly string _root;

    public FileModelStore(string root)
    {
        _root = Path.GetFullPath(root);
        Location = _root;
    }

    public string Location { get; }

    public async Task<ModelManifest> PublishAsync(string versionDirectory, CancellationToken cancellationToken = default)
    {
        var manifest = VersionFolder.ReadVerified(versionDirectory);
        var versionsDir = Path.Combine(_root, manifest.Name, "versions");
        var finalDir = Path.Combine(versionsDir, manifest.Version);
        if (Directory.Exists(finalDir))
        {
            throw new ModelVersionExistsException(manifest.Name, manifest.Version, Location);
        }

        var staging = Path.Combine(versionsDir, $".staging-{manifest.Version}-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(staging);
            foreach (var file in manifest.Artifacts.Keys)
            {
                File.Copy(ContainedPath.Combine(versionDirectory, file), ContainedPath.Combine(staging, file));
            }

            // The manifest goes last: it is what makes a version complete.
            await File.WriteAllBytesAsync(Path.Combine(staging, ModelManifest.FileName), ManifestJson.Serialize(manifest), cancellationToken);
            try
            {
                Directory.Move(staging, finalDir);
            }
            catch (IOException) when (Directory.Exists(finalDir))
            {
                throw new ModelVersionExistsException(manifest.Name, manifest.Version, Location);
            }

            return manifest;
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new ModelStoreException($"Cannot write to the model store folder {Location}: {ex.Message} Check that it exists and is writable.", ex);
        }
        finally
        {
            TryDelete(staging);
        }
    }

    public Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> names = !Directory.Exists(_root)
            ? []
            : Directory.EnumerateDirectories(_root)
                .Select(Path.GetFileName)
                .OfType<string>()
                .Where(n => StoreNames.IsValid(n) && EnumerateCompleteVersions(n).Any())
                .Order(StringComparer.Ordinal)
                .ToList();
        return Task.FromResult(names);
    }

    public async Task<IReadOnlyList<ModelManifest>> ListVersionsAsync(string name, CancellationToken cancellationToken = default) =>
        (await ScanVersionsAsync(name, cancellationToken)).Versions;

    public async Task<VersionListing> ScanVersionsAsync(string name, CancellationToken cancellationToken = default)
    {
        StoreNames.Check(name, "model name");
        var manifests = new List<ModelManifest>();
        var invalid = new List<InvalidManifestException>();
        foreach (var version in EnumerateCompleteVersions(name).Order(StringComparer.Ordinal))
        {
            try
            {
                if (await FindVersionAsync(name, version, cancellationToken) is { } manifest)
                {
                    manifests.Add(manifest);
                }
            }
            catch (InvalidManifestException ex)
            {
                invalid.Add(ex);
            }
        }

        return new VersionListing(manifests.OrderBy(m => m.CreatedUtc).ThenBy(m => m.Version, StringComparer.Ordinal).ToList(), invalid);
    }

    public async Task<ModelManifest?> FindVersionAsync(string name, string version, CancellationToken cancellationToken = default)
    {
        var path = Path.Combine(_root, StoreNames.Check(name, "model name"), "versions", StoreNames.Check(version, "version"), ModelManifest.FileName);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelStoreException($"Model store {Location}: cannot read {ManifestReader.StoredPath(name, version)}: {ex.Message}", ex);
        }

        return ManifestReader.ReadStored(bytes, Location, name, version);
    }

    public async Task<IReadOnlyList<AliasRecord>> ListAliasesAsync(string name, CancellationToken cancellationToken = default)
    {
        var dir = Path.Combine(_root, StoreNames.Check(name, "model name"), "aliases");
        if (!Directory.Exists(dir))
        {
            return [];
        }

        var aliases = new List<AliasRecord>();
        foreach (var file in Directory.EnumerateFiles(dir, "*.json").Order(StringComparer.Ordinal))
        {
            var alias = await FindAliasAsync(name, Path.GetFileNameWithoutExtension(file), cancellationToken);
            if (alias is not null)
            {
                aliases.Add(alias);
            }
        }

        return aliases;
    }

    public async Task<AliasRecord?> FindAliasAsync(string name, string alias, CancellationToken cancellationToken = default)
    {
        var path = AliasFile(name, alias);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return ParseAlias(bytes, path).CheckedAt(name, alias, $"{name}/aliases/{alias}.json");
    }

    public async Task<AliasRecord> MoveAliasAsync(string name, string alias, string version, AliasRecord? expected, string? movedBy = null, CancellationToken cancellationToken = default)
    {
        if (await FindVersionAsync(name, version, cancellationToken) is null)
        {
            throw new ModelNotFoundException($"Version {name}:{version} does not exist in {Location}; an alias can only point at a complete version.");
        }

        var path = AliasFile(name, alias);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var aliasLock = await AcquireLockAsync(path + ".lock", cancellationToken);

        var current = File.Exists(path) ? ParseAlias(await File.ReadAllBytesAsync(path, cancellationToken), path) : null;
        if (current?.ETag != expected?.ETag)
        {
            throw new AliasConflictException(name, alias, Location);
        }

        var record = AliasRecord.Moved(name, alias, version, current?.Version, movedBy);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(record, ManifestJsonContext.Default.AliasRecord);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllBytesAsync(temp, bytes, cancellationToken);
        File.Move(temp, path, overwrite: true);
        return record with { ETag = ArtifactHash.Of(bytes) };
    }

    public async Task<StoredDocument?> FindDocumentAsync(string name, string path, CancellationToken cancellationToken = default)
    {
        var file = DocumentFile(name, path);
        try
        {
            var bytes = await File.ReadAllBytesAsync(file, cancellationToken);
            return new StoredDocument(bytes, ArtifactHash.Of(bytes));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelStoreException($"Model store {Location}: cannot read {name}/{path}: {ex.Message}", ex);
        }
    }

    public async Task<string> WriteDocumentAsync(string name, string path, ReadOnlyMemory<byte> content, DocumentCondition condition, CancellationToken cancellationToken = default)
    {
        var file = DocumentFile(name, path);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            if (condition == DocumentCondition.None)
            {
                await ReplaceAsync(file, content, cancellationToken);
                return ArtifactHash.Of(content.Span);
            }

            // The same lock and content-hash ETag as alias moves: check and replace are one step for every writer.
            await using var documentLock = await AcquireLockAsync(file + ".lock", cancellationToken);
            var current = File.Exists(file) ? ArtifactHash.Of(await File.ReadAllBytesAsync(file, cancellationToken)) : null;
            if (condition.IfAbsent ? current is not null : current != condition.IfMatch)
            {
                throw new DocumentConflictException(name, path, Location);
            }

            await ReplaceAsync(file, content, cancellationToken);
            return ArtifactHash.Of(content.Span);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new ModelStoreException($"Cannot write {name}/{path} in the model store folder {Location}: {ex.Message}", ex);
        }
    }

    public Task<bool> DeleteDocumentAsync(string name, string path, CancellationToken cancellationToken = default)
    {
        var file = DocumentFile(name, path);
        try
        {
            var existed = File.Exists(file);
            File.Delete(file);
            return Task.FromResult(existed);
        }
        catch (DirectoryNotFoundException)
        {
            return Task.FromResult(false);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new ModelStoreException($"Cannot delete {name}/{path} in the model store folder {Location}: {ex.Message}", ex);
        }
    }

    public Task<IReadOnlyList<string>> ListDocumentsAsync(string name, string folder, CancellationToken cancellationToken = default)
    {
        var dir = Path.Combine(_root, StoreNames.Check(name, "model name"), StoreNames.CheckDocumentFolder(folder));
        IReadOnlyList<string> paths = !Directory.Exists(dir)
            ? []
            : Directory.EnumerateFiles(dir, "*.json")
                .Select(Path.GetFileName)
                .OfType<string>()
                .Where(StoreNames.IsValid)
                .Order(StringComparer.Ordinal)
                .Select(file => $"{folder}/{file}")
                .ToList();
        return Task.FromResult(paths);
    }

    public async Task<byte[]> ReadArtifactAsync(ModelManifest manifest, string fileName, CancellationToken cancellationToken = default)
    {
        ArtifactHash.CheckListed(manifest, fileName, Location);
        var path = ContainedPath.Combine(Path.Combine(_root, StoreNames.Check(manifest.Name, "model name"), "versions", StoreNames.Check(manifest.Version, "version")), fileName);
        if (!File.Exists(path))
        {
            throw new ModelIntegrityException($"{path} is missing although the manifest lists it.");
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        ArtifactHash.Verify(manifest, fileName, bytes, Location);
        return bytes;
    }

    public async Task WriteRecordsAsync(string name, string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var full = RecordFile(name, path);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);

            // Written under a temporary name and moved into place without overwriting: whole or absent, and never twice.
            var temp = $"{full}.{Guid.NewGuid():N}.tmp";
            await File.WriteAllBytesAsync(temp, content, cancellationToken);
            try
            {
                File.Move(temp, full, overwrite: false);
            }
            catch (IOException) when (File.Exists(full))
            {
                TryDeleteFile(temp);
                throw new RecordExistsException(name, path, Location);
            }
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new ModelStoreException($"Cannot write {name}/{path} to the model store folder {Location}: {ex.Message}", ex);
        }
    }

    public Task<IReadOnlyList<string>> ListRecordsAsync(string name, string folder, CancellationToken cancellationToken = default)
    {
        var modelDir = Path.Combine(_root, StoreNames.Check(name, "model name"));
        var dir = Path.Combine(modelDir, RecordPaths.CheckFolder(folder));
        IReadOnlyList<string> files = !Directory.Exists(dir)
            ? []
            : Directory.EnumerateFiles(dir, "*" + RecordPaths.Extension, SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(modelDir, f).Replace(Path.DirectorySeparatorChar, '/'))
                .Order(StringComparer.Ordinal)
                .ToList();
        return Task.FromResult(files);
    }

    public async Task<byte[]> ReadRecordsAsync(string name, string path, CancellationToken cancellationToken = default)
    {
        try
        {
            return await File.ReadAllBytesAsync(RecordFile(name, path), cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ModelNotFoundException($"Record file {name}/{path} does not exist in {Location}.");
        }
    }

    private string RecordFile(string name, string path) =>
        Path.Combine(_root, StoreNames.Check(name, "model name"), RecordPaths.Check(path).Replace('/', Path.DirectorySeparatorChar));

    private IEnumerable<string> EnumerateCompleteVersions(string name)
    {
        var dir = Path.Combine(_root, name, "versions");
        return !Directory.Exists(dir)
            ? []
            : Directory.EnumerateDirectories(dir)
                .Where(d => File.Exists(Path.Combine(d, ModelManifest.FileName)))
                .Select(Path.GetFileName)
                .OfType<string>()
                .Where(StoreNames.IsValid);
    }

    private string DocumentFile(string name, string path) =>
        Path.Combine(_root, StoreNames.Check(name, "model name"), StoreNames.CheckDocument(path));

    /// <summary>Written beside and renamed into place, so a reader sees the old or the new document, never half of one.</summary>
    private static async Task ReplaceAsync(string file, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var temp = $"{file}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllBytesAsync(temp, content, cancellationToken);
        File.Move(temp, file, overwrite: true);
    }

    private string AliasFile(string name, string alias) =>
        Path.Combine(_root, StoreNames.Check(name, "model name"), "aliases", StoreNames.Check(alias, "alias") + ".json");

    private static AliasRecord ParseAlias(byte[] bytes, string path)
    {
        try
        {
            var record = JsonSerializer.Deserialize(bytes, ManifestJsonContext.Default.AliasRecord)
                ?? throw new ModelStoreException($"{path} is empty.");
            return record with { ETag = ArtifactHash.Of(bytes) };
        }
        catch (JsonException ex)
        {
            throw new ModelStoreException($"{path} is not a valid alias file: {ex.Message}", ex);
        }
    }

    private static async Task<FileStream> AcquireLockAsync(string lockPath, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + LockTimeout;
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (Directory.Exists(Path.GetDirectoryName(lockPath)))
            {
                // The holder may release the lock between this attempt and any check of it: always try again.
                // A lock left by a crashed process must not block every later move.
                if (File.Exists(lockPath) && DateTime.UtcNow - File.GetLastWriteTimeUtc(lockPath) > StaleLockAge)
                {
                    TryDeleteFile(lockPath);
                }
                else if (DateTime.UtcNow > deadline)
                {
                    throw new ModelStoreException($"Timed out waiting for the alias lock {lockPath}.");
                }

                await Task.Delay(Random.Shared.Next(5, 25), cancellationToken);
            }
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
