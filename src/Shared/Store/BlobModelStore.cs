using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Shared.Store;

/// <summary>
/// The model store in an Azure Blob Storage container (or Azurite), with the folder store's layout under an
/// optional prefix. Every upload is create-only (If-None-Match: *), so a published version can never change;
/// the manifest goes last and is what makes a version visible; alias moves are conditional on the ETag that the
/// mover read (If-Match), or on the alias not existing yet (If-None-Match: *).
/// </summary>
public sealed class BlobModelStore : IModelStore
{
    /// <summary>Blob metadata key holding an artifact's SHA-256, used to recognise a resumed publish.</summary>
    private const string Sha256Metadata = "sha256";

    private readonly BlobContainerClient _container;
    private readonly BlobStoreLocation _location;
    private readonly BlobCredentialKind _credential;
    private readonly string _root;

    public BlobModelStore(BlobStoreLocation location, BlobStoreOptions? options = null)
    {
        _location = location;
        (_container, _credential) = BlobContainerConnector.Connect(location, options ?? BlobStoreOptions.FromEnvironment());
        _root = location.Prefix.Length == 0 ? "" : location.Prefix + "/";
    }

    public string Location => _location.Display;

    public async Task<ModelManifest> PublishAsync(string versionDirectory, CancellationToken cancellationToken = default)
    {
        var manifest = VersionFolder.ReadVerified(versionDirectory);
        var versionPrefix = VersionPrefix(manifest.Name, manifest.Version);
        var manifestBlob = _container.GetBlobClient(versionPrefix + ModelManifest.FileName);
        var action = $"publishing {manifest.Name}:{manifest.Version}";
        if (await TryGetPropertiesAsync(manifestBlob, action, cancellationToken) is not null)
        {
            throw new ModelVersionExistsException(manifest.Name, manifest.Version, Location);
        }

        foreach (var (file, info) in manifest.Artifacts)
        {
            // Validated already; checked again because the name becomes part of a blob key under the version's prefix.
            ArtifactHash.CheckListed(manifest, file, versionDirectory);
            var blob = _container.GetBlobClient(versionPrefix + file);
            await using var stream = File.OpenRead(Path.Combine(versionDirectory, file));
            var created = await CallAsync(() => CreateOnlyAsync(blob, stream, info.Sha256, cancellationToken), action);
            if (!created)
            {
                await CheckLeftoverAsync(blob, manifest, file, info, action, cancellationToken);
            }
        }

        // Last: until the manifest exists, readers do not see the version at all.
        using var manifestBytes = new MemoryStream(ManifestJson.Serialize(manifest));
        if (!await CallAsync(() => CreateOnlyAsync(manifestBlob, manifestBytes, null, cancellationToken), action))
        {
            throw new ModelVersionExistsException(manifest.Name, manifest.Version, Location);
        }

        return manifest;
    }

    public async Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        var manifests = await ListManifestsAsync(_root, "listing models", cancellationToken);
        return manifests.Select(m => m.Name).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    public async Task<IReadOnlyList<ModelManifest>> ListVersionsAsync(string name, CancellationToken cancellationToken = default) =>
        (await ScanVersionsAsync(name, cancellationToken)).Versions;

    public async Task<VersionListing> ScanVersionsAsync(string name, CancellationToken cancellationToken = default)
    {
        var prefix = $"{_root}{StoreNames.Check(name, "model name")}/versions/";
        var versions = await ListManifestsAsync(prefix, $"listing versions of {name}", cancellationToken);
        var reads = await Task.WhenAll(versions.Select(async v =>
        {
            try
            {
                return (Manifest: await FindVersionAsync(name, v.Version, cancellationToken), Invalid: (InvalidManifestException?)null);
            }
            catch (InvalidManifestException ex)
            {
                return (null, ex);
            }
        }));
        return new VersionListing(
            reads.Select(r => r.Manifest).OfType<ModelManifest>().OrderBy(m => m.CreatedUtc).ThenBy(m => m.Version, StringComparer.Ordinal).ToList(),
            reads.Select(r => r.Invalid).OfType<InvalidManifestException>().OrderBy(e => e.File, StringComparer.Ordinal).ToList());
    }

    public async Task<ModelManifest?> FindVersionAsync(string name, string version, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(VersionPrefix(name, version) + ModelManifest.FileName);
        var content = await TryDownloadAsync(blob, $"reading {name}:{version}", cancellationToken);
        if (content is null)
        {
            return null;
        }

        return ManifestReader.ReadStored(content.Content.ToMemory().Span, Location, name, version);
    }

    public async Task<IReadOnlyList<AliasRecord>> ListAliasesAsync(string name, CancellationToken cancellationToken = default)
    {
        var prefix = $"{_root}{StoreNames.Check(name, "model name")}/aliases/";
        var aliases = new List<string>();
        await CallAsync(async () =>
        {
            await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken))
            {
                var alias = item.Name[prefix.Length..];
                if (alias.EndsWith(".json", StringComparison.Ordinal) && StoreNames.IsValid(alias[..^5]))
                {
                    aliases.Add(alias[..^5]);
                }
            }

            return true;
        }, $"listing aliases of {name}");

        var records = new List<AliasRecord>();
        foreach (var alias in aliases.Order(StringComparer.Ordinal))
        {
            if (await FindAliasAsync(name, alias, cancellationToken) is { } record)
            {
                records.Add(record);
            }
        }

        return records;
    }

    public async Task<AliasRecord?> FindAliasAsync(string name, string alias, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(AliasBlob(name, alias));
        var content = await TryDownloadAsync(blob, $"reading alias {name}@{alias}", cancellationToken);
        if (content is null)
        {
            return null;
        }

        try
        {
            var record = JsonSerializer.Deserialize(content.Content.ToMemory().Span, ManifestJsonContext.Default.AliasRecord)
                ?? throw new ModelStoreException($"{Location}/{blob.Name} is empty.");
            return (record with { ETag = content.Details.ETag.ToString() }).CheckedAt(name, alias, $"{Location}/{blob.Name}");
        }
        catch (JsonException ex)
        {
            throw new ModelStoreException($"{Location}/{blob.Name} is not a valid alias file: {ex.Message}", ex);
        }
    }

    public async Task<AliasRecord> MoveAliasAsync(string name, string alias, string version, AliasRecord? expected, string? movedBy = null, CancellationToken cancellationToken = default)
    {
        if (expected is { ETag: null })
        {
            throw new ArgumentException("The expected alias record carries no ETag: pass the record as the store returned it.", nameof(expected));
        }

        if (await FindVersionAsync(name, version, cancellationToken) is null)
        {
            throw new ModelNotFoundException($"Version {name}:{version} does not exist in {Location}; an alias can only point at a complete version.");
        }

        // The condition guarantees that the alias still holds `expected`, so its version is the one replaced.
        var record = AliasRecord.Moved(name, alias, version, expected?.Version, movedBy);
        var conditions = expected is null
            ? new BlobRequestConditions { IfNoneMatch = ETag.All }
            : new BlobRequestConditions { IfMatch = new ETag(expected.ETag!) };
        var blob = _container.GetBlobClient(AliasBlob(name, alias));
        var bytes = BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(record, ManifestJsonContext.Default.AliasRecord));
        try
        {
            var response = await blob.UploadAsync(bytes, new BlobUploadOptions { Conditions = conditions, HttpHeaders = JsonHeaders }, cancellationToken);
            return record with { ETag = response.Value.ETag.ToString() };
        }
        catch (RequestFailedException ex) when (IsConditionFailure(ex))
        {
            throw new AliasConflictException(name, alias, Location);
        }
        catch (Exception ex) when (BlobFailures.IsStoreFailure(ex))
        {
            throw BlobFailures.Translate(ex, _location, _credential, $"moving alias {name}@{alias}");
        }
    }

    public async Task<StoredDocument?> FindDocumentAsync(string name, string path, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(DocumentBlob(name, path));
        var content = await TryDownloadAsync(blob, $"reading {name}/{path}", cancellationToken);
        return content is null ? null : new StoredDocument(content.Content.ToArray(), content.Details.ETag.ToString());
    }

    public async Task<string> WriteDocumentAsync(string name, string path, ReadOnlyMemory<byte> content, DocumentCondition condition, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(DocumentBlob(name, path));
        var conditions = condition.IfAbsent ? new BlobRequestConditions { IfNoneMatch = ETag.All }
            : condition.IfMatch is { } etag ? new BlobRequestConditions { IfMatch = new ETag(etag) }
            : null;
        try
        {
            var response = await blob.UploadAsync(BinaryData.FromBytes(content), new BlobUploadOptions { Conditions = conditions, HttpHeaders = JsonHeaders }, cancellationToken);
            return response.Value.ETag.ToString();
        }
        catch (RequestFailedException ex) when (conditions is not null && (IsConditionFailure(ex) || (condition.IfMatch is not null && ex.Status == 404)))
        {
            throw new DocumentConflictException(name, path, Location);
        }
        catch (Exception ex) when (BlobFailures.IsStoreFailure(ex))
        {
            throw BlobFailures.Translate(ex, _location, _credential, $"writing {name}/{path}");
        }
    }

    public async Task<bool> DeleteDocumentAsync(string name, string path, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(DocumentBlob(name, path));
        return await CallAsync(async () => (await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken)).Value, $"deleting {name}/{path}");
    }

    public async Task<IReadOnlyList<string>> ListDocumentsAsync(string name, string folder, CancellationToken cancellationToken = default)
    {
        var prefix = $"{_root}{StoreNames.Check(name, "model name")}/{StoreNames.CheckDocumentFolder(folder)}/";
        var paths = new List<string>();
        await CallAsync(async () =>
        {
            await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken))
            {
                var file = item.Name[prefix.Length..];
                if (file.EndsWith(".json", StringComparison.Ordinal) && StoreNames.IsValid(file))
                {
                    paths.Add($"{folder}/{file}");
                }
            }

            return true;
        }, $"listing {name}/{folder}");
        return [.. paths.Order(StringComparer.Ordinal)];
    }

    public async Task<byte[]> ReadArtifactAsync(ModelManifest manifest, string fileName, CancellationToken cancellationToken = default)
    {
        ArtifactHash.CheckListed(manifest, fileName, Location);
        var blob = _container.GetBlobClient(VersionPrefix(manifest.Name, manifest.Version) + fileName);
        var content = await TryDownloadAsync(blob, $"reading {manifest.Name}:{manifest.Version}/{fileName}", cancellationToken)
            ?? throw new ModelIntegrityException($"{Location}/{blob.Name} is missing although the manifest of {manifest.Name}:{manifest.Version} lists it.");
        var bytes = content.Content.ToArray();
        ArtifactHash.Verify(manifest, fileName, bytes, Location);
        return bytes;
    }

    public async Task WriteRecordsAsync(string name, string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(RecordBlob(name, path));
        var options = new BlobUploadOptions
        {
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/x-ndjson" },
        };
        try
        {
            await blob.UploadAsync(BinaryData.FromBytes(content), options, cancellationToken);
        }
        catch (RequestFailedException ex) when (IsConditionFailure(ex))
        {
            throw new RecordExistsException(name, path, Location);
        }
        catch (Exception ex) when (BlobFailures.IsStoreFailure(ex))
        {
            throw BlobFailures.Translate(ex, _location, _credential, $"writing {name}/{path}");
        }
    }

    public async Task<IReadOnlyList<string>> ListRecordsAsync(string name, string folder, CancellationToken cancellationToken = default)
    {
        var modelPrefix = $"{_root}{StoreNames.Check(name, "model name")}/";
        var prefix = $"{modelPrefix}{RecordPaths.CheckFolder(folder)}/";
        var files = new List<string>();
        await CallAsync(async () =>
        {
            await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken))
            {
                if (item.Name.EndsWith(RecordPaths.Extension, StringComparison.Ordinal))
                {
                    files.Add(item.Name[modelPrefix.Length..]);
                }
            }

            return true;
        }, $"listing {name}/{folder}");
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    public async Task<byte[]> ReadRecordsAsync(string name, string path, CancellationToken cancellationToken = default)
    {
        var content = await TryDownloadAsync(_container.GetBlobClient(RecordBlob(name, path)), $"reading {name}/{path}", cancellationToken)
            ?? throw new ModelNotFoundException($"Record file {name}/{path} does not exist in {Location}.");
        return content.Content.ToArray();
    }

    private string RecordBlob(string name, string path) => $"{_root}{StoreNames.Check(name, "model name")}/{RecordPaths.Check(path)}";

    private static BlobHttpHeaders JsonHeaders => new() { ContentType = "application/json" };

    private string VersionPrefix(string name, string version) =>
        $"{_root}{StoreNames.VersionPath(StoreNames.Check(name, "model name"), StoreNames.Check(version, "version"))}/";

    private string AliasBlob(string name, string alias) =>
        _root + StoreNames.AliasPath(StoreNames.Check(name, "model name"), StoreNames.Check(alias, "alias"));

    private string DocumentBlob(string name, string path) =>
        $"{_root}{StoreNames.Check(name, "model name")}/{StoreNames.CheckDocument(path)}";

    /// <summary>Uploads only if the blob does not exist; false when it already does.</summary>
    private static async Task<bool> CreateOnlyAsync(BlobClient blob, Stream content, string? sha256, CancellationToken cancellationToken)
    {
        var options = new BlobUploadOptions
        {
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            HttpHeaders = blob.Name.EndsWith(".json", StringComparison.Ordinal) ? JsonHeaders : null,
            Metadata = sha256 is null ? null : new Dictionary<string, string> { [Sha256Metadata] = sha256 },
        };
        try
        {
            await blob.UploadAsync(content, options, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (IsConditionFailure(ex))
        {
            return false;
        }
    }

    /// <summary>
    /// An artifact blob already exists but the manifest does not: an earlier publish stopped half-way. Identical
    /// bytes (same SHA-256 and size) are reused; anything else means a different build claims this version.
    /// </summary>
    private async Task CheckLeftoverAsync(BlobClient blob, ModelManifest manifest, string file, ArtifactInfo info, string action, CancellationToken cancellationToken)
    {
        var properties = await TryGetPropertiesAsync(blob, action, cancellationToken);
        if (properties is not null
            && properties.ContentLength == info.Size
            && properties.Metadata.TryGetValue(Sha256Metadata, out var sha256)
            && string.Equals(sha256, info.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        throw new ModelVersionExistsException(manifest.Name, manifest.Version, $"{Location} (artifact '{file}' already holds different content)");
    }

    /// <summary>Every complete version under a prefix, as (model, version), from the blobs named .../versions/&lt;v&gt;/manifest.json.</summary>
    private async Task<List<(string Name, string Version)>> ListManifestsAsync(string prefix, string action, CancellationToken cancellationToken)
    {
        var found = new List<(string, string)>();
        await CallAsync(async () =>
        {
            await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken))
            {
                var parts = item.Name[_root.Length..].Split('/');
                if (parts is [var name, "versions", var version, ModelManifest.FileName] && StoreNames.IsValid(name) && StoreNames.IsValid(version))
                {
                    found.Add((name, version));
                }
            }

            return true;
        }, action);
        return found;
    }

    private async Task<BlobDownloadResult?> TryDownloadAsync(BlobClient blob, string action, CancellationToken cancellationToken)
    {
        try
        {
            return (await blob.DownloadContentAsync(cancellationToken)).Value;
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.BlobNotFound)
        {
            return null;
        }
        catch (Exception ex) when (BlobFailures.IsStoreFailure(ex))
        {
            throw BlobFailures.Translate(ex, _location, _credential, action);
        }
    }

    private async Task<BlobProperties?> TryGetPropertiesAsync(BlobClient blob, string action, CancellationToken cancellationToken)
    {
        try
        {
            return (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.BlobNotFound || (ex.Status == 404 && string.IsNullOrEmpty(ex.ErrorCode)))
        {
            // HEAD answers carry no body; a 404 without an error code header is a missing blob.
            return null;
        }
        catch (Exception ex) when (BlobFailures.IsStoreFailure(ex))
        {
            throw BlobFailures.Translate(ex, _location, _credential, action);
        }
    }

    private async Task<T> CallAsync<T>(Func<Task<T>> call, string action)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (BlobFailures.IsStoreFailure(ex))
        {
            throw BlobFailures.Translate(ex, _location, _credential, action);
        }
    }

    /// <summary>If-None-Match: * on an existing blob answers 409 (BlobAlreadyExists); a stale If-Match answers 412.</summary>
    private static bool IsConditionFailure(RequestFailedException ex) => ex.Status is 409 or 412;
}
