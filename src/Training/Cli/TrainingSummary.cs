using System.Globalization;
using MLPipeline.Shared.Store;
using MLPipeline.Training.Runs;
using Spectre.Console;

namespace MLPipeline.Training.Cli;

/// <summary>Prints what a run did: the trainer comparison, the test metrics, the gates and where it went.</summary>
public static class TrainingSummary
{
    public static void Print(TrainingResult result, string storeLocation, AliasRecord? alias, TimeSpan publishing)
    {
        var manifest = result.Manifest;
        var main = manifest.MainMetric;
        if (result.Comparison.Count > 0)
        {
            var comparison = new Table().Title($"Trainers ({(result.Comparison[0].CrossValidation is null ? "test split" : "cross-validation mean ± std")})")
                .AddColumns("Trainer", main, "Time");
            foreach (var r in result.Comparison.OrderByDescending(r => r.Score(main)))
            {
                var winner = r.Candidate == result.Winner;
                var score = r.CrossValidation is { } cv ? $"{cv[main].Mean:F4} ± {cv[main].StdDev:F4}" : r.Score(main).ToString("F4", CultureInfo.InvariantCulture);
                comparison.AddRow(Markup.Escape((winner ? "* " : "  ") + r.Candidate.DisplayName), score, $"{r.Duration.TotalSeconds:F1} s");
            }

            AnsiConsole.Write(comparison);
        }

        var metrics = new Table().Title("Test split").AddColumns("Metric", "Value");
        foreach (var (name, value) in manifest.Metrics.Test)
        {
            metrics.AddRow(name, value.ToString("F4", CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(metrics);
        foreach (var gate in result.Gates)
        {
            AnsiConsole.MarkupLine($"gate {Markup.Escape(gate.Gate)}: {gate.Actual:G6} [green]passed[/]");
        }

        var time = new Table().Title("Time").AddColumns("Step", "Seconds");
        foreach (var step in manifest.Timings ?? [])
        {
            time.AddRow(Markup.Escape(step.Step), step.Seconds.ToString("F1", CultureInfo.InvariantCulture));
        }

        time.AddRow("publish", publishing.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture));
        AnsiConsole.Write(time);
        AnsiConsole.MarkupLine($"Published [bold]{manifest.Name}:{manifest.Version}[/] to {Markup.Escape(storeLocation)} ({result.Duration.TotalSeconds:F1} s, peak memory {PeakMemory.Megabytes():F0} MB)");
        if (alias is not null)
        {
            AnsiConsole.MarkupLine($"Alias [bold]{alias.Model}@{alias.Alias}[/] -> {alias.Version}{(alias.PreviousVersion is null ? "" : $" (was {alias.PreviousVersion})")}");
        }
    }
}
