using MLPipeline.Serving.Monitoring;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Rollout;

namespace MLPipeline.Serving.Rollout;

/// <summary>
/// This replica's live quality of a rollout's two versions, read from monitoring (feedback joined to the predictions
/// each version answered), for the figures it writes to the store. One metric per task, the one the judge compares:
/// R² for regression, accuracy for binary, macro then micro accuracy for multiclass. Binary is judged on the labels
/// callers get, not on AUC: AUC ranks scores, and a model whose labels are wrong can rank well (one trained on shuffled
/// breast-cancer labels still ranks by tumour size, AUC 0.97 or 0.13 depending on the shuffle, while it answers the
/// majority class nearly always).
/// </summary>
public sealed class RolloutLiveQuality(MonitoringRegistry monitoring)
{
    private static readonly string[] Preference = ["RSquared", "Accuracy", "MacroAccuracy", "MicroAccuracy"];

    /// <summary>Live quality per version that has joined feedback on this replica; null when neither has any.</summary>
    public Dictionary<string, LiveQuality>? Of(RolloutRecord record)
    {
        var quality = new Dictionary<string, LiveQuality>(StringComparer.Ordinal);
        foreach (var version in new[] { record.Stable, record.Candidate })
        {
            if (monitoring.Quality(record.Model, version) is { WindowRows: > 0 } figures
                && Preference.FirstOrDefault(m => figures.Metrics.TryGetValue(m, out var value) && double.IsFinite(value)) is { } metric)
            {
                quality[version] = new LiveQuality(metric, figures.Metrics[metric], !MetricDirection.LowerIsBetter(metric), figures.WindowRows);
            }
        }

        return quality.Count == 0 ? null : quality;
    }
}
