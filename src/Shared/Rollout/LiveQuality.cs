namespace MLPipeline.Shared.Rollout;

/// <summary>
/// A version's live quality over the current step, as monitoring measures it from feedback (e.g. accuracy of the
/// predictions whose true label came back): the metric, its value, whether higher is better, and how many labels it
/// rests on. Rollouts judge it when both versions have one.
/// </summary>
public sealed record LiveQuality(string Metric, double Value, bool HigherIsBetter, long Labels);
