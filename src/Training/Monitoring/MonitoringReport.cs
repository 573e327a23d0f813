using System.Globalization;
using System.Text;
using System.Text.Json;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Evaluation;
using MLPipeline.Training.Reports;
using ScottPlot;

namespace MLPipeline.Training.Monitoring;

/// <summary>The thresholds the offline report checks: a PSI above <c>Psi</c>, or a main metric more than <c>MetricDrop</c> below the version's test value.</summary>
public sealed record MonitoringThresholds(double Psi, double MetricDrop, int MinimumRows);

/// <summary>
/// <c>monitoring.md</c> and its plots for one model over a range: per version, the volume and latency per hour, the PSI
/// of each column per hour, and the live quality per hour; with the alerts (drift, quality) that make <c>monitor</c>
/// exit non-zero.
/// </summary>
public static class MonitoringReport
{
    public const string FileName = "monitoring.md";

    /// <returns>The alerts, one line each (empty: nothing crossed a threshold).</returns>
    public static IReadOnlyList<string> Write(
        string directory, string model, IReadOnlyDictionary<string, ModelManifest> manifests, IReadOnlyList<LoggedPrediction> predictions,
        IReadOnlyDictionary<string, JsonElement> labels, MonitoringThresholds thresholds, DateTimeOffset? from, DateTimeOffset? to)
    {
        Directory.CreateDirectory(directory);
        var alerts = new List<string>();
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Monitoring: {model}").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Range: {from?.ToString("u", CultureInfo.InvariantCulture) ?? "the first log"} to {to?.ToString("u", CultureInfo.InvariantCulture) ?? "the last log"}; "
            + $"{predictions.Count} logged rows, {labels.Count} feedback labels. Thresholds: PSI {thresholds.Psi:G3}, main metric drop {thresholds.MetricDrop:G3}, at least {thresholds.MinimumRows} rows.").AppendLine();
        foreach (var (version, rows) in predictions.GroupBy(p => p.Version).OrderBy(g => manifests[g.Key].CreatedUtc).Select(g => (g.Key, g.ToList())))
        {
            var manifest = manifests[version];
            var mainMetric = MetricNames.MainMetric(manifest.Task);
            var overall = VersionWindow.Of(manifest, rows, labels);
            var hours = rows.GroupBy(r => Hour(r.Time)).OrderBy(g => g.Key).Select(g => (Hour: g.Key, Window: VersionWindow.Of(manifest, [.. g], labels))).ToList();

            md.AppendLine(CultureInfo.InvariantCulture, $"## Version {version}").AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"{overall.Rows} rows, mean latency {overall.MeanLatencyMilliseconds:F3} ms (p95 {overall.P95LatencyMilliseconds:F3} ms), {overall.Joined} with feedback.").AppendLine();

            if (manifest.Profile is null)
            {
                md.AppendLine("No training profile in this version's manifest (trained before profiles existed): no drift figures.").AppendLine();
            }
            else
            {
                md.AppendLine("| column | PSI | status |").AppendLine("|---|---|---|");
                foreach (var (column, psi) in overall.Psi.Append(new(Monitoring.ScoreColumn, overall.ScorePsi ?? 0)).Where(c => c.Key != Monitoring.ScoreColumn || overall.ScorePsi is not null))
                {
                    var drifting = psi > thresholds.Psi && overall.Rows >= thresholds.MinimumRows;
                    md.AppendLine(CultureInfo.InvariantCulture, $"| {column} | {psi:F4} | {(drifting ? "**drifting**" : "stable")} |");
                    if (drifting)
                    {
                        alerts.Add(string.Create(CultureInfo.InvariantCulture, $"{model}:{version}: {column} drifted (PSI {psi:F3} > {thresholds.Psi:G3})"));
                    }
                }

                md.AppendLine();
            }

            if (overall.Quality.Count > 0)
            {
                md.AppendLine("| metric | live | test split |").AppendLine("|---|---|---|");
                foreach (var (metric, value) in overall.Quality)
                {
                    md.AppendLine(CultureInfo.InvariantCulture, $"| {metric} | {value:F4} | {(manifest.Metrics.Test.TryGetValue(metric, out var test) ? test.ToString("F4", CultureInfo.InvariantCulture) : "")} |");
                }

                md.AppendLine();
                if (overall.MainQuality(manifest.Task) is { } live && manifest.Metrics.Test.TryGetValue(mainMetric, out var trained)
                    && trained - live > thresholds.MetricDrop && overall.Joined >= thresholds.MinimumRows)
                {
                    alerts.Add(string.Create(CultureInfo.InvariantCulture, $"{model}:{version}: {mainMetric} fell to {live:F4} (test split {trained:F4}, more than {thresholds.MetricDrop:G3} lower)"));
                }
            }

            foreach (var plot in Plot(directory, version, manifest, mainMetric, hours, thresholds))
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"![{plot}]({plot})");
            }

            md.AppendLine();
        }

        md.AppendLine("## Alerts").AppendLine();
        md.AppendLine(alerts.Count == 0 ? "None." : string.Join(Environment.NewLine, alerts.Select(a => $"- {a}")));
        File.WriteAllText(Path.Combine(directory, FileName), md.ToString());
        return alerts;
    }

    private static IEnumerable<string> Plot(string directory, string version, ModelManifest manifest, string mainMetric, List<(DateTimeOffset Hour, VersionWindow Window)> hours, MonitoringThresholds thresholds)
    {
        var xs = hours.Select(h => h.Hour.UtcDateTime.ToOADate()).ToArray();

        var volume = Plots.Create($"{version}: predictions per hour", "hour (UTC)", "rows");
        volume.Add.Bars(xs, [.. hours.Select(h => (double)h.Window.Rows)]);
        volume.Axes.DateTimeTicksBottom();
        yield return Plots.Save(volume, directory, $"plot-{version}-volume.png");

        var latency = Plots.Create($"{version}: latency per hour", "hour (UTC)", "milliseconds");
        latency.Add.Scatter(xs, [.. hours.Select(h => h.Window.MeanLatencyMilliseconds)]).LegendText = "mean";
        latency.Add.Scatter(xs, [.. hours.Select(h => h.Window.P95LatencyMilliseconds)]).LegendText = "p95";
        latency.Axes.DateTimeTicksBottom();
        latency.ShowLegend();
        yield return Plots.Save(latency, directory, $"plot-{version}-latency.png");

        if (manifest.Profile is not null)
        {
            var psi = Plots.Create($"{version}: population stability index per hour", "hour (UTC)", "PSI");
            foreach (var column in hours.SelectMany(h => h.Window.Psi.Keys).Distinct())
            {
                psi.Add.Scatter(xs, [.. hours.Select(h => h.Window.Psi.GetValueOrDefault(column))]).LegendText = column;
            }

            psi.Add.HorizontalLine(thresholds.Psi).LinePattern = LinePattern.Dashed;
            psi.Axes.DateTimeTicksBottom();
            psi.ShowLegend();
            yield return Plots.Save(psi, directory, $"plot-{version}-psi.png");
        }

        var quality = hours.Where(h => h.Window.MainQuality(manifest.Task) is not null).ToList();
        if (quality.Count > 0)
        {
            var plot = Plots.Create($"{version}: live {mainMetric} per hour", "hour (UTC)", mainMetric);
            double[] hoursWithFeedback = [.. quality.Select(h => h.Hour.UtcDateTime.ToOADate())];
            double[] values = [.. quality.Select(h => h.Window.MainQuality(manifest.Task)!.Value)];
            plot.Add.Scatter(hoursWithFeedback, values);
            if (manifest.Metrics.Test.TryGetValue(mainMetric, out var test))
            {
                plot.Add.HorizontalLine(test).LinePattern = LinePattern.Dashed;
            }

            plot.Axes.DateTimeTicksBottom();
            yield return Plots.Save(plot, directory, $"plot-{version}-quality.png");
        }
    }

    private static DateTimeOffset Hour(DateTimeOffset time) => new(time.UtcDateTime.Date.AddHours(time.UtcDateTime.Hour), TimeSpan.Zero);
}

/// <summary>Names the report uses.</summary>
internal static class Monitoring
{
    public const string ScoreColumn = "(score)";
}
