namespace MLPipeline.Serving.Ui.Seams;

/// <summary>
/// What the model page shows of monitoring in production (issue "Monitoring in production"): live quality and drift per
/// column of the version this replica serves, figures the service keeps in memory. Until a monitoring feature
/// registers its own implementation, <see cref="MonitoringNotEnabled"/> answers.
/// </summary>
public interface IMonitoringView
{
    /// <summary>The model's live figures, or null when monitoring is not enabled for it (the page says so).</summary>
    MonitoringState? Find(string model);
}

/// <param name="Version">The version the figures describe.</param>
/// <param name="Quality">Live quality figures, e.g. the main metric on labelled feedback, the share of rows with missing values.</param>
/// <param name="Columns">Drift per input column against the training data.</param>
public sealed record MonitoringState(string Version, IReadOnlyDictionary<string, double> Quality, IReadOnlyList<ColumnDrift> Columns, DateTimeOffset? SinceUtc = null);

/// <param name="Measure">The drift statistic, e.g. "PSI" or "KS".</param>
/// <param name="Alert">The value is past the feature's threshold.</param>
public sealed record ColumnDrift(string Column, string Measure, double Value, bool Alert);
