using MLPipeline.Serving.Monitoring;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Rollout;

namespace MLPipeline.Serving.Rollout;

/// <summary>
/// This replica's live quality of a rollout's two versions, read from monitoring (feedback joined to the predictions
/// each version answered), for the figures it writes to the store. One metric per task, the one the judge compares:
/// R² for regression, AUC for binary (accuracy when the labels held only one class), macro then micro accuracy for
/// multiclass.
/// </summary>
public sealed class RolloutLiveQuality(MonitoringRegistry monitoring)
{
    private static readonly string[] Preference = ["RSquared", "AreaUnderRocCurve", "MacroAccuracy", "MicroAccuracy", "Accuracy"];

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
