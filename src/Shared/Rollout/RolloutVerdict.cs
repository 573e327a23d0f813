using System.Text.Json.Serialization;

namespace MLPipeline.Shared.Rollout;

/// <summary>What the figures say a rollout should do now, with every criterion's result.</summary>
public sealed record RolloutVerdict(RolloutVerdictKind Kind, string Reason, IReadOnlyList<CriterionCheck> Checks)
{
    /// <summary>The step to move to (<see cref="RolloutVerdictKind.Step"/>, <see cref="RolloutVerdictKind.Promote"/>).</summary>
    public int NextStep { get; init; } = -1;
}

[JsonConverter(typeof(JsonStringEnumConverter<RolloutVerdictKind>))]
public enum RolloutVerdictKind
{
    /// <summary>Nothing to do yet (too few requests, the step's time not over, not running).</summary>
    [JsonStringEnumMemberName("wait")]
    Wait,

    /// <summary>Every criterion holds and the step's time is over: move to the next step.</summary>
    [JsonStringEnumMemberName("step")]
    Step,

    /// <summary>The next step is 100%: move the alias to the candidate.</summary>
    [JsonStringEnumMemberName("promote")]
    Promote,

    /// <summary>A criterion failed, or the candidate failed on a replica: weight 0.</summary>
    [JsonStringEnumMemberName("rollBack")]
    RollBack,
}

[JsonConverter(typeof(JsonStringEnumConverter<CriterionOutcome>))]
public enum CriterionOutcome
{
    [JsonStringEnumMemberName("passed")]
    Passed,
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>Not enough figures yet.</summary>
    [JsonStringEnumMemberName("waiting")]
    Waiting,

    /// <summary>Not checked: switched off, or meaningless for this mode or task.</summary>
    [JsonStringEnumMemberName("skipped")]
    Skipped,
}

/// <summary>One criterion's result, with the figures it compared (e.g. "candidate 0.8% <= 1%").</summary>
public sealed record CriterionCheck(string Criterion, CriterionOutcome Outcome, string Detail);
