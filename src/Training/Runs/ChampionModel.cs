using MLPipeline.Shared.Manifest;

namespace MLPipeline.Training.Runs;

/// <summary>The version an alias points at, fetched and verified from the store, to compare a new model with.</summary>
public sealed record ChampionModel(string Alias, ModelManifest Manifest, byte[] ModelZip);
