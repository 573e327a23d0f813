namespace MLPipeline.Shared.Store;

/// <summary>The store is unreachable, refuses access, or holds something it should not. CLI exit code 4.</summary>
public class ModelStoreException : Exception
{
    public ModelStoreException(string message) : base(message) { }

    public ModelStoreException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>A second publish of an immutable version.</summary>
public sealed class ModelVersionExistsException(string name, string version, string location)
    : ModelStoreException($"Version {name}:{version} already exists in {location}; versions are immutable, publish a new version instead.");

/// <summary>An alias moved between the read and the write: retry with a fresh read.</summary>
public sealed class AliasConflictException(string name, string alias, string location)
    : ModelStoreException($"Alias {name}@{alias} in {location} was moved by someone else since it was read; read it again and retry.");

/// <summary>A stored artifact does not match the size or SHA-256 that its manifest records.</summary>
public sealed class ModelIntegrityException(string message) : ModelStoreException(message);

/// <summary>A model, version or alias that the store does not have.</summary>
public sealed class ModelNotFoundException(string message) : ModelStoreException(message);

/// <summary>A monitoring record file that already exists: record files are written once.</summary>
public sealed class RecordExistsException(string name, string path, string location)
    : ModelStoreException($"Record file {name}/{path} already exists in {location}; record files are written once.");

/// <summary>A conditional document write found the document changed (or created) since it was read: read it again.</summary>
public sealed class DocumentConflictException(string name, string path, string location)
    : ModelStoreException($"{name}/{path} in {location} was written by someone else since it was read; read it again and retry.");
