using System.Globalization;
using System.Text;
using Microsoft.ML;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Data;
using MLPipeline.Training.Runs;

namespace MLPipeline.Training.Reports;

/// <summary>
/// report.md and its PNG plots in the version folder: how good the model is (metrics, plots), why (feature
/// importance, data summary), how it was chosen (trainer comparison) and whether it beats the champion.
/// </summary>
public static class TrainingReport
{
    public const string FileName = "report.md";

    /// <param name="plots">The plots <see cref="ReportPlots.Write"/> drew into the same folder.</param>
    public static void Write(string directory, ModelManifest manifest, DataProfile profile,
        IReadOnlyList<CandidateResult> comparison, IReadOnlyList<GateOutcome> gates, IReadOnlyList<(string Title, string File)> plots) =>
        File.WriteAllText(Path.Combine(directory, FileName), Markdown(manifest, profile, comparison, gates, plots));

    private static string Markdown(ModelManifest m, DataProfile profile, IReadOnlyList<CandidateResult> comparison,
        IReadOnlyList<GateOutcome> gates, IReadOnlyList<(string Title, string File)> plots)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# {m.Name} {m.Version}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{m.Task} model trained by **{m.Trainer.Name}** on {m.CreatedUtc:yyyy-MM-dd HH:mm} UTC from `{m.TrainingData.Path}` ({m.TrainingData.TrainRows} training rows, {m.TrainingData.TestRows} test rows).");
        if (m.Trainer.MaxRows is { } maxRows)
        {
            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"The trainer was fit on a uniform random sample of about {maxRows:N0} of the training rows (`maxRows`); the test split and the cross-validation test folds are not sampled.");
        }

        md.AppendLine();

        md.AppendLine("## Metrics").AppendLine();
        var cv = m.Metrics.CrossValidation;
        md.AppendLine(cv is null ? "| metric | test split |" : "| metric | test split | cross-validation (mean ± std) |");
        md.AppendLine(cv is null ? "|---|---|" : "|---|---|---|");
        foreach (var (name, value) in m.Metrics.Test)
        {
            var main = name == m.MainMetric ? " (main)" : "";
            md.AppendLine(cv is null
                ? $"| {name}{main} | {F(value)} |"
                : $"| {name}{main} | {F(value)} | {F(cv[name].Mean)} ± {F(cv[name].StdDev)} |");
        }

        md.AppendLine();
        if (gates.Count > 0)
        {
            md.AppendLine("## Gates").AppendLine();
            foreach (var gate in gates)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {(gate.Passed ? "passed" : "FAILED")}: `{gate.Gate}` (got {F(gate.Actual)})");
            }

            md.AppendLine();
        }

        if (m.Champion is { } champion)
        {
            md.AppendLine("## Champion vs challenger").AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"| | version | {champion.Metric} |");
            md.AppendLine("|---|---|---|");
            md.AppendLine(CultureInfo.InvariantCulture, $"| champion (`{champion.Alias}`) | {champion.Version} | {(champion.Champion is { } c ? F(c) : "n/a")} |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| challenger (this run) | {m.Version} | {F(champion.Challenger)} |");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"{(champion.Passed ? "Passed" : "FAILED")} with tolerance {F(champion.Tolerance)}{(champion.Note is null ? "" : $": {champion.Note}")}.");
            md.AppendLine();
        }

        if (comparison.Count > 0)
        {
            md.AppendLine("## Trainer comparison").AppendLine();
            if (m.Search is { } search)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"Search: {search.Strategy}, seed {search.Seed}, {comparison.Count} trial(s); the highest rung first, best first. The winner is marked *.").AppendLine();
            }

            md.AppendLine(CultureInfo.InvariantCulture, $"| trial | trainer | rung | rows | {m.MainMetric} mean | std | training time |");
            md.AppendLine("|---|---|---|---|---|---|---|");
            var ranked = ComparisonOrder.Ranked(comparison, m.MainMetric);
            foreach (var r in ranked)
            {
                var summary = r.Failed ? null : r.CrossValidation?[m.MainMetric];
                var winner = ReferenceEquals(r, ranked[0]) ? "* " : "";
                var metric = r.Failed ? r.Error : F(r.Score(m.MainMetric));
                md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Trial} | {winner}{r.Candidate.DisplayName} | {r.Rung} | {r.Fraction:P0} | {metric} | {(summary is null ? "-" : F(summary.StdDev))} | {r.Duration.TotalSeconds:F1} s |");
            }

            md.AppendLine();
        }

        md.AppendLine("## ONNX").AppendLine();
        var onnx = Onnx.OnnxSummary.Describe(m.Onnx);
        md.AppendLine(onnx.EndsWith('.') ? onnx : onnx + ".").AppendLine();

        md.AppendLine("## Plots").AppendLine();
        foreach (var (title, file) in plots)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"### {title}").AppendLine().AppendLine(CultureInfo.InvariantCulture, $"![{title}]({file})").AppendLine();
        }

        if (m.FeatureImportance is { Count: > 0 } importance)
        {
            md.AppendLine("## Feature importance").AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Permutation feature importance on the test split: the drop in {m.MainMetric} when the column is shuffled.").AppendLine();
            md.AppendLine("| column | importance |").AppendLine("|---|---|");
            foreach (var (column, value) in importance)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {column} | {F(value)} |");
            }

            md.AppendLine();
        }

        md.AppendLine("## Data").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{profile.Rows} rows, {profile.Header.Count} columns, SHA-256 `{profile.Sha256}`.").AppendLine();
        md.AppendLine("| column | role | missing |").AppendLine("|---|---|---|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| {m.Label.Column} | label | {profile.MissingByColumn.GetValueOrDefault(m.Label.Column)} |");
        foreach (var column in profile.Features)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {column.Name} | {column.Kind.ToString().ToLowerInvariant()}{(column.Inferred ? " (inferred)" : "")} | {profile.MissingByColumn.GetValueOrDefault(column.Name)} |");
        }

        if (profile.LabelCounts.Count > 0)
        {
            md.AppendLine().AppendLine("Class balance:").AppendLine().AppendLine("| class | rows | share |").AppendLine("|---|---|---|");
            foreach (var (label, count) in profile.LabelCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {count} | {100.0 * count / profile.Rows:F1}% |");
            }
        }

        if (m.Timings is { Count: > 0 } timings)
        {
            md.AppendLine().AppendLine("## Time").AppendLine();
            md.AppendLine("Wall time of each step of this run, in order (writing this report and publishing come after it; the manifest has the report's time).").AppendLine();
            md.AppendLine("| step | seconds |").AppendLine("|---|---:|");
            foreach (var timing in timings)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {timing.Step} | {timing.Seconds:F1} |");
            }
        }

        return md.ToString();
    }

    private static string F(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
