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
            var search = manifest.Search is { } s ? $"{s.Strategy} search, seed {s.Seed}, {result.Comparison.Count} trial(s); " : "";
            var comparison = new Table().Title($"Trainers ({search}{(result.Comparison.Any(r => r.CrossValidation is not null) ? "cross-validation mean ± std" : "test split")})")
                .AddColumns("Trial", "Trainer", "Rung", "Rows", main, "Time");
            var ranked = ComparisonOrder.Ranked(result.Comparison, main);
            foreach (var r in ranked)
            {
                var winner = ReferenceEquals(r, ranked[0]);
                var score = r.Failed ? r.Error! : r.CrossValidation is { } cv ? $"{cv[main].Mean:F4} ± {cv[main].StdDev:F4}" : r.Score(main).ToString("F4", CultureInfo.InvariantCulture);
                comparison.AddRow(
                    r.Trial.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape((winner ? "* " : "  ") + r.Candidate.DisplayName),
                    r.Rung.ToString(CultureInfo.InvariantCulture),
                    r.Fraction.ToString("P0", CultureInfo.InvariantCulture),
                    Markup.Escape(score),
                    $"{r.Duration.TotalSeconds:F1} s");
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
