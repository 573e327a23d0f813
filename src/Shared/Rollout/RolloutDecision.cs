using System.Globalization;

namespace MLPipeline.Shared.Rollout;

/// <summary>
/// The rollout's judge: a pure function of the record, the figures summed over every replica (live quality per version
/// among them, when monitoring provides it) and the time. Every replica and the CLI run the same function on the same
/// store content, so whoever writes first writes what the others would have written.
/// </summary>
public static class RolloutDecision
{
    public static RolloutVerdict Decide(RolloutRecord record, RolloutFigures figures, DateTimeOffset now)
    {
        if (record.State != RolloutState.Running)
        {
            return new RolloutVerdict(RolloutVerdictKind.Wait, $"the rollout is {Describe(record.State)}", []);
        }

        var checks = Checks(record, figures);
        if (figures.CandidateProblems.Count > 0)
        {
            var detail = string.Join("; ", figures.CandidateProblems);
            checks = [new CriterionCheck("candidate usable", CriterionOutcome.Failed, detail), .. checks];
            return new RolloutVerdict(RolloutVerdictKind.RollBack, $"candidate failed: {detail}", checks);
        }

        var failed = checks.Where(c => c.Outcome == CriterionOutcome.Failed).ToList();
        if (failed.Count > 0)
        {
            return new RolloutVerdict(RolloutVerdictKind.RollBack, string.Join("; ", failed.Select(c => $"{c.Criterion}: {c.Detail}")), checks);
        }

        var waiting = checks.FirstOrDefault(c => c.Outcome == CriterionOutcome.Waiting);
        if (waiting is not null)
        {
            return new RolloutVerdict(RolloutVerdictKind.Wait, $"{waiting.Criterion}: {waiting.Detail}", checks);
        }

        var due = record.StepStartedUtc + record.StepTime;
        if (now < due)
        {
            return new RolloutVerdict(RolloutVerdictKind.Wait, $"every criterion holds; step {record.Step + 1} of {record.Steps.Count} ends at {due:u}", checks);
        }

        var next = record.Step + 1;
        return next >= record.Steps.Count || record.Steps[next] >= 100
            ? new RolloutVerdict(RolloutVerdictKind.Promote, $"every criterion held for {record.StepTime} at {record.Weight}%", checks) { NextStep = Math.Min(next, record.Steps.Count - 1) }
            : new RolloutVerdict(RolloutVerdictKind.Step, $"every criterion held for {record.StepTime} at {record.Weight}%", checks) { NextStep = next };
    }

    private static List<CriterionCheck> Checks(RolloutRecord record, RolloutFigures figures)
    {
        var criteria = record.Criteria;
        var candidate = figures.Of(record.Candidate);
        var stable = figures.Of(record.Stable);
        var min = criteria.MinRequests;
        var enough = candidate.Requests >= min && stable.Requests >= min;
        var checks = new List<CriterionCheck>
        {
            new("requests", enough ? CriterionOutcome.Passed : CriterionOutcome.Waiting,
                $"candidate {candidate.Requests}, stable {stable.Requests} of at least {min} each in this step"),
        };

        if (criteria.MaxErrorRate is { } maxErrors)
        {
            checks.Add(candidate.Requests < min
                ? Waiting("error rate")
                : Check("error rate", candidate.ErrorRate <= maxErrors, $"candidate {Percent(candidate.ErrorRate)} (at most {Percent(maxErrors)})"));
        }

        if (criteria.MaxErrorRateOverStable is { } overStable)
        {
            checks.Add(!enough
                ? Waiting("error rate over stable")
                : Check("error rate over stable", candidate.ErrorRate <= stable.ErrorRate + overStable,
                    $"candidate {Percent(candidate.ErrorRate)}, stable {Percent(stable.ErrorRate)} (at most {Percent(overStable)} more)"));
        }

        if (criteria.MaxLatencyRatio is { } ratio)
        {
            var (p99c, p99s) = (candidate.LatencyMs.Quantile(0.99), stable.LatencyMs.Quantile(0.99));
            checks.Add(!enough || double.IsNaN(p99c) || double.IsNaN(p99s)
                ? Waiting("p99 latency")
                : Check("p99 latency", p99c <= (ratio * p99s) + criteria.LatencySlackMs,
                    $"candidate {Ms(p99c)}, stable {Ms(p99s)} (at most {Number(ratio)}x + {Ms(criteria.LatencySlackMs)})"));
        }

        if (criteria.MinAgreement is { } minAgreement)
        {
            checks.Add(record.Mode != RolloutMode.Shadow
                ? new CriterionCheck("agreement", CriterionOutcome.Skipped, "shadow mode only")
                : candidate.Agreement is not { } agreement
                    ? candidate.Requests >= min && candidate.ComparedRows > 0
                        ? new CriterionCheck("agreement", CriterionOutcome.Skipped, "the model has no labels (regression)")
                        : Waiting("agreement")
                    : candidate.LabelledRows < min
                        ? Waiting("agreement")
                        : Check("agreement", agreement >= minAgreement, $"{Percent(agreement)} of {candidate.LabelledRows} copies gave stable's label (at least {Percent(minAgreement)})"));
        }

        if (criteria.MaxScoreShift is { } maxShift)
        {
            checks.Add(!enough || candidate.Scores.Count == 0 || stable.Scores.Count == 0
                ? Waiting("score shift")
                : ScoreShiftCheck(candidate.Scores, stable.Scores, maxShift));
        }

        if (criteria.MaxQualityDrop is { } maxDrop)
        {
            checks.Add(QualityCheck(record, figures.Quality, maxDrop, criteria.MinQualityLabels));
        }

        return checks;
    }

    /// <summary>
    /// The Kolmogorov-Smirnov distance against the limit. Within it: passed. Beyond it, it fails only when it stays
    /// beyond even after taking off what chance alone gives at these counts (the two-sample test's 99.9% bound,
    /// 1.95 x sqrt((n + m) / nm)); in between, the step waits for more requests, which shrink the bound.
    /// </summary>
    private static CriterionCheck ScoreShiftCheck(ValueHistogram candidate, ValueHistogram stable, double maxShift)
    {
        var distance = ValueHistogram.Distance(candidate, stable);
        var noise = 1.95 * Math.Sqrt((double)(candidate.Count + stable.Count) / (candidate.Count * stable.Count));
        var detail = $"distance {Number(distance)} between the score distributions (at most {Number(maxShift)}; chance alone gives up to {Number(noise)} at these counts); "
            + $"p50 candidate {Number(candidate.Quantile(0.5))}, stable {Number(stable.Quantile(0.5))}";
        return distance <= maxShift ? new CriterionCheck("score shift", CriterionOutcome.Passed, detail)
            : distance - noise > maxShift ? new CriterionCheck("score shift", CriterionOutcome.Failed, detail)
            : new CriterionCheck("score shift", CriterionOutcome.Waiting, detail + "; more requests will tell");
    }

    private static CriterionCheck QualityCheck(RolloutRecord record, IReadOnlyDictionary<string, LiveQuality> quality, double maxDrop, int minLabels)
    {
        if (!quality.TryGetValue(record.Candidate, out var candidate) || !quality.TryGetValue(record.Stable, out var stable))
        {
            return new CriterionCheck("live quality", CriterionOutcome.Skipped, "no live quality figures for both versions");
        }

        if (candidate.Labels < minLabels || stable.Labels < minLabels)
        {
            return new CriterionCheck("live quality", CriterionOutcome.Waiting, $"candidate {candidate.Labels}, stable {stable.Labels} of at least {minLabels} labels each");
        }

        var drop = candidate.HigherIsBetter ? stable.Value - candidate.Value : candidate.Value - stable.Value;
        return Check("live quality", drop <= maxDrop,
            $"{candidate.Metric} candidate {Number(candidate.Value)}, stable {Number(stable.Value)} (at most {Number(maxDrop)} worse)");
    }

    private static CriterionCheck Check(string name, bool passed, string detail) =>
        new(name, passed ? CriterionOutcome.Passed : CriterionOutcome.Failed, detail);

    private static CriterionCheck Waiting(string name) => new(name, CriterionOutcome.Waiting, "too few requests yet");

    private static string Describe(RolloutState state) => state switch
    {
        RolloutState.RolledBack => "rolled back",
        _ => state.ToString().ToLowerInvariant(),
    };

    internal static string Percent(double value) => (value * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    private static string Ms(double value) => value.ToString("0.###", CultureInfo.InvariantCulture) + " ms";

    private static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
