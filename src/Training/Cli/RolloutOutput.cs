using System.Globalization;
using MLPipeline.Shared.Rollout;
using Spectre.Console;

namespace MLPipeline.Training.Cli;

/// <summary>How the rollout commands report: the record, the figures per version, the criteria now, and the history.</summary>
public static class RolloutOutput
{
    public static void Write(CommandOutput output, RolloutRecord record, RolloutFigures figures, RolloutVerdict verdict, bool json)
    {
        if (json)
        {
            output.Json(new RolloutStatus(record, figures.Summaries(record), figures.Replicas, figures.ShadowDropped, figures.CandidateProblems, verdict), StoreCommandJson.Default.RolloutStatus);
            return;
        }

        var console = output.Console;
        console.MarkupLine(Markup.Escape(
            $"Rollout {record.Id} of {record.Model}: {record.Mode.ToString().ToLowerInvariant()} of {record.Candidate} against {record.Stable} ({record.Model}@{record.Alias}), "
            + $"{State(record.State)} at {record.Weight}%, step {record.Step + 1} of {record.Steps.Count} ({string.Join(",", record.Steps)}%, {record.StepTime} each), step started {record.StepStartedUtc:u}"
            + (record.StickyHeader is null ? "" : $", sticky on {record.StickyHeader}")));

        if (record.IsActive)
        {
            console.MarkupLine(Markup.Escape($"Figures of this step from {figures.Replicas.Count} replica(s){(figures.ShadowDropped > 0 ? $", {figures.ShadowDropped} shadow copies dropped" : "")}:"));
            var table = new Table().AddColumns("version", "role", "requests", "errors", "error rate", "p50 ms", "p99 ms", "score mean", "score p10", "score p50", "score p90", "agreement", "score diff", "live quality");
            var summaries = figures.Summaries(record);
            foreach (var (version, role) in new[] { (record.Stable, "stable"), (record.Candidate, "candidate") })
            {
                var s = summaries[version];
                table.AddRow(version, role, s.Requests.ToString(CultureInfo.InvariantCulture), s.Errors.ToString(CultureInfo.InvariantCulture), Percent(s.ErrorRate),
                    Number(s.P50Ms), Number(s.P99Ms), Number(s.ScoreMean), Number(s.ScoreP10), Number(s.ScoreP50), Number(s.ScoreP90),
                    s.Agreement is { } a ? Percent(a) : "-", Number(s.ScoreDifference), Quality(s.Quality));
            }

            console.Write(table);
            var checks = new Table().AddColumns("criterion", "now", "detail");
            foreach (var check in verdict.Checks)
            {
                checks.AddRow(Markup.Escape(check.Criterion), check.Outcome.ToString().ToLowerInvariant(), Markup.Escape(check.Detail));
            }

            console.Write(checks);
            console.MarkupLine(Markup.Escape($"Verdict now: {verdict.Kind.ToString().ToLowerInvariant()} ({verdict.Reason})"));
        }

        var history = new Table().AddColumns("at (UTC)", "by", "action", "weight", "reason");
        foreach (var entry in record.History)
        {
            history.AddRow(entry.AtUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), Markup.Escape(entry.By), Action(entry.Action),
                $"{entry.FromWeight}% -> {entry.ToWeight}%", Markup.Escape(entry.Reason + Figures(entry)));
        }

        console.Write(history);
    }

    private static string Action(RolloutAction action) => action switch
    {
        RolloutAction.RolledBack => "rolled back",
        RolloutAction.AliasMoved => "alias moved",
        _ => action.ToString().ToLowerInvariant(),
    };

    public static string State(RolloutState state) => state == RolloutState.RolledBack ? "rolled back" : state.ToString().ToLowerInvariant();

    private static string Figures(RolloutTransition entry) =>
        entry.Figures is null ? "" : " [" + string.Join("; ", entry.Figures.Select(f => $"{f.Key}: {f.Value.Requests} req, {Percent(f.Value.ErrorRate)} err"
            + (f.Value.Agreement is { } a ? $", {Percent(a)} agree" : "") + (f.Value.ScoreP50 is { } p ? $", p50 score {Number(p)}" : "") + (f.Value.Quality is { } q ? $", {Quality(q)}" : ""))) + "]";

    private static string Quality(LiveQuality? quality) => quality is { } q ? $"{q.Metric} {Number(q.Value)} ({q.Labels} labels)" : "-";

    private static string Percent(double value) => (value * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    private static string Number(double? value) => value is { } v ? v.ToString("0.####", CultureInfo.InvariantCulture) : "-";
}

/// <summary>The result of <c>rollout ... --json</c>: the record, this step's figures per version, and the verdict now.</summary>
public sealed record RolloutStatus(
    RolloutRecord Rollout,
    IReadOnlyDictionary<string, FiguresSummary> Figures,
    IReadOnlyList<string> Replicas,
    long ShadowDropped,
    IReadOnlyList<string> CandidateProblems,
    RolloutVerdict Verdict);
