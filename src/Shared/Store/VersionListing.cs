using MLPipeline.Shared.Manifest;

namespace MLPipeline.Shared.Store;

/// <summary>A model's versions as a store lists them: the valid ones oldest first, and those skipped for an invalid manifest.</summary>
public sealed record VersionListing(IReadOnlyList<ModelManifest> Versions, IReadOnlyList<InvalidManifestException> Invalid);
