using MLPipeline.Shared.Store;

namespace MLPipeline.Shared.Rollout;

/// <summary>A rollout record read from the store is malformed or inconsistent; the message names the file and the field.</summary>
public sealed class InvalidRolloutException(string message, Exception? inner = null) : ModelStoreException(message, inner);

/// <summary>A transition that the rollout's state does not allow (resume a running rollout, start over a running one).</summary>
public sealed class RolloutStateException(string message) : Exception(message);
