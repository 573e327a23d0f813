using MLPipeline.Shared.Store;

namespace MLPipeline.Shared.Rollout;

/// <summary>Checks a rollout record field by field: a record from the store that breaks any rule is not followed.</summary>
public static class RolloutValidation
{
    private static readonly DateTimeOffset EarliestStepStart = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LatestStepStart = new(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static IReadOnlyList<string> Problems(RolloutRecord record, string model)
    {
        var problems = new List<string>();
        void Require(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }

        Require(record.Model == model, $"model: names '{record.Model}', but the record belongs to '{model}'");
        Require(StoreNames.IsValid(record.Id), "id: missing or not a safe name");
        Require(StoreNames.IsValid(record.Alias), "alias: missing or not a valid alias name");
        Require(StoreNames.IsValid(record.Stable), "stable: missing or not a valid version name");
        Require(StoreNames.IsValid(record.Candidate), "candidate: missing or not a valid version name");
        Require(record.Stable != record.Candidate, "candidate: is the stable version itself");
        Require(Enum.IsDefined(record.Mode), "mode: must be canary or shadow");
        Require(Enum.IsDefined(record.State), "state: must be running, paused, promoted or rolledBack");
        var steps = record.Steps ?? [];
        Require(steps.Count is > 0 and <= 20, "steps: between 1 and 20 weights");
        Require(steps.All(s => s is >= 1 and <= 100), "steps: every weight between 1 and 100 percent");
        Require(steps.Zip(steps.Skip(1)).All(p => p.First < p.Second), "steps: weights must increase");
        Require(steps.Count == 0 || steps[^1] == 100, "steps: the last weight must be 100 (it promotes)");
        Require(record.Step >= 0 && record.Step < steps.Count, $"step: {record.Step} is not an index of steps");
        Require(record.Weight is >= 0 and <= 100, "weight: between 0 and 100");
        Require(!record.IsActive || (record.Step < steps.Count && record.Weight == steps[record.Step]), "weight: a running or paused rollout has its step's weight");
        Require(record.StepTime > TimeSpan.Zero && record.StepTime <= TimeSpan.FromDays(30), "stepTime: more than zero and at most 30 days");
        Require(record.StepStartedUtc >= EarliestStepStart && record.StepStartedUtc <= LatestStepStart, "stepStartedUtc: a time between the years 2000 and 9000");
        Require(record.StickyHeader is null || (record.StickyHeader.Length is > 0 and <= 100 && record.StickyHeader.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')),
            "stickyHeader: a header name (letters, digits, '-', '_')");
        var criteria = record.Criteria;
        if (criteria is null)
        {
            problems.Add("criteria: missing");
        }
        else
        {
            // NaN fails every comparison below; an infinite limit is refused like the CLI refuses it (Infinity x 0 is NaN in the judge).
            Require(criteria.MinRequests is >= 1 and <= 10_000_000, "criteria.minRequests: between 1 and 10,000,000");
            Require(criteria.MaxErrorRate is null or >= 0 and <= 1, "criteria.maxErrorRate: between 0 and 1");
            Require(criteria.MaxErrorRateOverStable is null or >= 0 and <= 1, "criteria.maxErrorRateOverStable: between 0 and 1");
            Require(criteria.MaxLatencyRatio is null or > 0 and < double.PositiveInfinity, "criteria.maxLatencyRatio: a finite number more than 0");
            Require(criteria.LatencySlackMs is >= 0 and < double.PositiveInfinity, "criteria.latencySlackMs: a finite number, at least 0");
            Require(criteria.MinAgreement is null or >= 0 and <= 1, "criteria.minAgreement: between 0 and 1");
            Require(criteria.MaxScoreShift is null or >= 0 and < double.PositiveInfinity, "criteria.maxScoreShift: a finite number, at least 0");
            Require(criteria.MaxQualityDrop is null or >= 0 and < double.PositiveInfinity, "criteria.maxQualityDrop: a finite number, at least 0");
            Require(criteria.MinQualityLabels >= 1, "criteria.minQualityLabels: at least 1");
        }

        Require(record.History is not null, "history: missing");
        if (record.History is not null)
        {
            for (var i = 0; i < record.History.Count; i++)
            {
                var entry = record.History[i];
                Require(entry is not null && entry.By is not null && entry.Reason is not null && Enum.IsDefined(entry.Action),
                    $"history[{i}]: a transition with atUtc, by, action, fromWeight, toWeight and reason");
            }
        }
        return problems;
    }

    /// <exception cref="InvalidRolloutException">The record breaks a rule; the message names <paramref name="file"/> and every field.</exception>
    public static void ThrowIfInvalid(RolloutRecord record, string model, string file)
    {
        var problems = Problems(record, model);
        if (problems.Count > 0)
        {
            throw new InvalidRolloutException($"{file}: invalid rollout record: {string.Join("; ", problems)}.");
        }
    }
}
