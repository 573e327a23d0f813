namespace MLPipeline.Serving.Ui.Seams;

/// <summary>
/// What the model page shows of a safe rollout : its state and figures per version. The pages ask
/// this seam only; <see cref="StoreRolloutView"/> reads the rollout record and figures from the store.
/// </summary>
public interface IRolloutView
{
    /// <summary>The model's rollout, or null when rollouts are not enabled for it (the page says so).</summary>
    Task<RolloutState?> FindAsync(string model, CancellationToken cancellationToken);
}

/// <param name="State">In a word or two, e.g. "canary 10%", "promoting", "rolled back".</param>
/// <param name="Versions">Figures per version taking part, e.g. share of traffic, requests, error rate, latency.</param>
public sealed record RolloutState(string State, IReadOnlyList<RolloutVersionFigures> Versions, DateTimeOffset? UpdatedUtc = null);

public sealed record RolloutVersionFigures(string Version, IReadOnlyDictionary<string, double> Figures);
