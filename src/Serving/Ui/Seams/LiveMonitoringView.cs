using MLPipeline.Serving.Monitoring;
using MLPipeline.Serving.Pool;

namespace MLPipeline.Serving.Ui.Seams;

/// <summary>
/// This replica's live figures for the version a model serves now: quality over feedback joined to its predictions,
/// and drift (PSI) per input column against the training profile. Null when monitoring keeps no state for it.
/// </summary>
public sealed class LiveMonitoringView(MonitoringRegistry monitoring, PredictionEnginePool pool) : IMonitoringView
{
    public MonitoringState? Find(string model)
    {
        if (pool.Find(model)?.Current?.Version is not { } version)
        {
            return null;
        }

        var quality = monitoring.Quality(model, version);
        var drift = monitoring.Drift(model, version);
        if (quality is null && drift is null)
        {
            return null;
        }

        var figures = new Dictionary<string, double>(quality?.Metrics ?? new Dictionary<string, double>())
        {
            ["joined rows"] = quality?.WindowRows ?? 0,
            ["drift window rows"] = drift?.WindowRows ?? 0,
        };
        var columns = (drift?.Columns ?? new Dictionary<string, double>())
            .Select(c => new ColumnDrift(c.Key, "PSI", c.Value, c.Value > drift!.Threshold))
            .ToList();
        if (drift?.Score is { } score)
        {
            columns.Add(new ColumnDrift("(score)", "PSI", score, score > drift.Threshold));
        }

        return new MonitoringState(version, figures, columns);
    }
}
