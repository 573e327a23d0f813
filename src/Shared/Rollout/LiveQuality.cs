namespace MLPipeline.Shared.Rollout;

/// <summary>
/// A version's live quality, as monitoring measures it from feedback (e.g. AUC of the predictions whose true label came
/// back): the metric, its value, whether higher is better, and how many labels it rests on. Rollouts judge it when both
/// versions have one.
/// </summary>
public sealed record LiveQuality(string Metric, double Value, bool HigherIsBetter, long Labels)
{
    /// <summary>
    /// The replicas' figures of one version as one: the label-weighted mean of their values, over the replicas that
    /// report the metric most labels rest on. Exact for accuracy and mean errors; for AUC and R² (not sums over rows)
    /// it is the usual pooled estimate, close when replicas see alike traffic. Null when no replica has a label.
    /// </summary>
    public static LiveQuality? Combine(IReadOnlyCollection<LiveQuality> replicas)
    {
        var usable = replicas.Where(q => q.Labels > 0 && double.IsFinite(q.Value)).ToList();
        if (usable.Count == 0)
        {
            return null;
        }

        var metric = usable.GroupBy(q => q.Metric, StringComparer.Ordinal).MaxBy(g => g.Sum(q => q.Labels))!.ToList();
        var labels = metric.Sum(q => q.Labels);
        var value = metric.Sum(q => q.Value * q.Labels) / labels;
        return new LiveQuality(metric[0].Metric, value, metric[0].HigherIsBetter, labels);
    }
}
