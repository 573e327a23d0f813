using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Monitoring;
using MLPipeline.Shared.Store;
using MLPipeline.Training.Monitoring;
using Spectre.Console;

namespace MLPipeline.Training.Cli;

/// <summary>
/// <c>logs export &lt;name&gt; [--with-feedback] --out &lt;csv&gt;</c>: the logged inputs of a model (with their ground truth,
/// joined by prediction id) as a CSV with the manifest's input and label columns, one a spec can train on.
/// </summary>
public static class LogsExportCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The model whose prediction log is exported." };
        var withFeedback = new Option<bool>("--with-feedback") { Description = "Join the logged feedback by prediction id: adds the label column and keeps only rows that have one." };
        var output = new Option<string>("--out") { Description = "The CSV file to write.", Required = true };
        var version = new Option<string?>("--version") { Description = "Only this version's log (default: every version)." };
        var from = MonitorCommand.FromOption();
        var to = MonitorCommand.ToOption();
        var store = StoreOptions.Store();
        var export = new Command("export", "Write the logged inputs (and, with --with-feedback, their ground truth) as a CSV a training spec can read.")
        {
            name, withFeedback, output, version, from, to, store,
        };
        export.SetAction((parse, cancellationToken) => CliErrors.RunAsync(
            () => RunAsync(new CommandOutput(parse), parse.GetValue(name)!, parse.GetValue(withFeedback), parse.GetValue(output)!, parse.GetValue(version),
                parse.GetValue(from), parse.GetValue(to), parse.GetValue(store), cancellationToken),
            parse.InvocationConfiguration.Error));
        return new Command("logs", "The service's prediction log in the model store.") { export };
    }

    private static async Task<int> RunAsync(CommandOutput output, string name, bool withFeedback, string path, string? version, DateTimeOffset? from, DateTimeOffset? to, string? storeLocation, CancellationToken cancellationToken)
    {
        var store = ModelStoreFactory.Open(storeLocation);
        var predictions = await LoggedRecords.PredictionsAsync(store, StoreNames.Check(name, "model name"), version, from, to, cancellationToken);
        var manifests = new Dictionary<string, ModelManifest>(StringComparer.Ordinal);
        foreach (var logged in predictions.Select(p => p.Version).Distinct())
        {
            manifests[logged] = await store.FindVersionAsync(name, logged, cancellationToken)
                ?? throw new ModelNotFoundException($"The log of {name} names version {logged}, which is not in {store.Location}.");
        }

        if (manifests.Count == 0)
        {
            throw new ModelNotFoundException($"{store.Location} holds no logged predictions of {name}{(version is null ? "" : $":{version}")} in the range.");
        }

        // The newest version's columns, in its order; columns left out of the log are not exported.
        var newest = manifests.Values.MaxBy(m => m.CreatedUtc)!;
        var excluded = manifests.Values.SelectMany(m => m.Monitoring?.Exclude ?? []).ToHashSet(StringComparer.Ordinal);
        var columns = newest.Inputs.Select(i => i.Name).Where(c => !excluded.Contains(c)).ToList();
        var labels = withFeedback ? LoggedRecords.LatestLabels(await LoggedRecords.FeedbackAsync(store, name, from, cancellationToken)) : null;

        var csv = new StringBuilder();
        csv.AppendJoin(',', columns.Append(newest.Label.Column).Take(columns.Count + (withFeedback ? 1 : 0)).Select(Cell)).Append('\n');
        int written = 0, withoutFeedback = 0, badLabels = 0;
        foreach (var row in predictions.OrderBy(p => p.Time))
        {
            string? label = null;
            if (labels is not null)
            {
                if (!labels.TryGetValue(row.Id, out var truth))
                {
                    withoutFeedback++;
                    continue;
                }

                var manifest = manifests[row.Version];
                var classes = FeedbackLabel.ClassesOf(manifest);
                var (value, _) = FeedbackLabel.Read(truth, manifest.Task, classes);
                if (value is not { } known)
                {
                    badLabels++;
                    continue;
                }

                label = manifest.Task == ModelTask.Regression ? known.ToString("R", CultureInfo.InvariantCulture) : classes[(int)known];
            }

            csv.AppendJoin(',', columns.Select(c => Cell(row.Inputs.TryGetProperty(c, out var v) ? Text(v) : null)));
            if (label is not null)
            {
                csv.Append(',').Append(Cell(label));
            }

            csv.Append('\n');
            written++;
        }

        await File.WriteAllTextAsync(path, csv.ToString(), new UTF8Encoding(false), cancellationToken);
        var skipped = withFeedback ? string.Create(CultureInfo.InvariantCulture, $" ({withoutFeedback} logged rows had no feedback, {badLabels} had a label that fits no class)") : "";
        output.Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote {written} rows of {name} to {Path.GetFullPath(path)}{skipped}."));
        return ExitCodes.Ok;
    }

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        _ => value.GetRawText(),
    };

    /// <summary>RFC 4180: a cell with a comma, quote or line break is quoted, its quotes doubled; a missing value is empty.</summary>
    private static string Cell(string? value) =>
        value is null ? "" : value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
}
