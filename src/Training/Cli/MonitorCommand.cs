using System.CommandLine;
using System.Globalization;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;
using MLPipeline.Training.Monitoring;
using Spectre.Console;

namespace MLPipeline.Training.Cli;

/// <summary>
/// <c>monitor &lt;name&gt; [--from] [--to]</c>: reads a model's prediction log and feedback from the store, writes
/// monitoring.md with plots, and exits with <see cref="ExitCodes.MonitoringAlert"/> when drift or quality crossed a
/// threshold (so a scheduled pipeline can start a retraining run).
/// </summary>
public static class MonitorCommand
{
    public static Option<DateTimeOffset?> FromOption() => new("--from") { Description = "Start of the range (UTC, e.g. 2026-11-30T00:00Z); default: the first log." };

    public static Option<DateTimeOffset?> ToOption() => new("--to") { Description = "End of the range, exclusive (UTC); default: the last log." };

    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The model to report on." };
        var from = FromOption();
        var to = ToOption();
        var output = new Option<string?>("--out") { Description = "Folder for monitoring.md and its plots (default: ./monitoring-<name>)." };
        var psi = new Option<double>("--psi-threshold") { Description = "PSI above which a column or the score counts as drifted.", DefaultValueFactory = _ => 0.2 };
        var drop = new Option<double>("--max-metric-drop") { Description = "How far the live main metric may fall below the version's test value.", DefaultValueFactory = _ => 0.1 };
        var minimum = new Option<int>("--min-rows") { Description = "Rows (for drift) or joined rows (for quality) a version needs before it can alert.", DefaultValueFactory = _ => 100 };
        var store = StoreOptions.Store();
        var command = new Command("monitor", $"Report drift and live quality from the prediction log and feedback; exit code {ExitCodes.MonitoringAlert} when a threshold is crossed.")
        {
            name, from, to, output, psi, drop, minimum, store,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(
            () => RunAsync(new CommandOutput(parse), parse.GetValue(name)!, parse.GetValue(from), parse.GetValue(to), parse.GetValue(output),
                new MonitoringThresholds(parse.GetValue(psi), parse.GetValue(drop), parse.GetValue(minimum)), parse.GetValue(store), cancellationToken),
            parse.InvocationConfiguration.Error));
        return command;
    }

    private static async Task<int> RunAsync(CommandOutput output, string name, DateTimeOffset? from, DateTimeOffset? to, string? directory, MonitoringThresholds thresholds, string? storeLocation, CancellationToken cancellationToken)
    {
        if (thresholds.Psi <= 0 || thresholds.MetricDrop < 0 || thresholds.MinimumRows < 1)
        {
            throw new ArgumentException("--psi-threshold must be positive, --max-metric-drop not negative, --min-rows at least 1.");
        }

        var store = ModelStoreFactory.Open(storeLocation);
        var predictions = await LoggedRecords.PredictionsAsync(store, StoreNames.Check(name, "model name"), null, from, to, cancellationToken);
        if (predictions.Count == 0)
        {
            throw new ModelNotFoundException($"{store.Location} holds no logged predictions of {name} in the range.");
        }

        var manifests = new Dictionary<string, ModelManifest>(StringComparer.Ordinal);
        foreach (var version in predictions.Select(p => p.Version).Distinct())
        {
            manifests[version] = await store.FindVersionAsync(name, version, cancellationToken)
                ?? throw new ModelNotFoundException($"The log of {name} names version {version}, which is not in {store.Location}.");
        }

        var labels = LoggedRecords.LatestLabels(await LoggedRecords.FeedbackAsync(store, name, from, cancellationToken));
        var target = Path.GetFullPath(directory ?? $"monitoring-{name}");
        var alerts = MonitoringReport.Write(target, name, manifests, predictions, labels, thresholds, from, to);
        output.Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote {Path.Combine(target, MonitoringReport.FileName)} ({predictions.Count} rows, {manifests.Count} versions)."));
        foreach (var alert in alerts)
        {
            output.Console.WriteLine("alert: " + alert);
        }

        return alerts.Count == 0 ? ExitCodes.Ok : ExitCodes.MonitoringAlert;
    }
}
