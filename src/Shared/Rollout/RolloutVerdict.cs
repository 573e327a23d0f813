namespace MLPipeline.Shared.Rollout;

/// <summary>What the figures say a rollout should do now, with every criterion's result.</summary>
public sealed record RolloutVerdict(RolloutVerdictKind Kind, string Reason, IReadOnlyList<CriterionCheck> Checks)
{
    /// <summary>The step to move to (<see cref="RolloutVerdictKind.Step"/>, <see cref="RolloutVerdictKind.Promote"/>).</summary>
    public int NextStep { get; init; } = -1;
}

public enum RolloutVerdictKind
{
    /// <summary>Nothing to do yet (too few requests, the step's time not over, not running).</summary>
    Wait,

    /// <summary>Every criterion holds and the step's time is over: move to the next step.</summary>
    Step,

    /// <summary>The next step is 100%: move the alias to the candidate.</summary>
    Promote,

    /// <summary>A criterion failed, or the candidate failed on a replica: weight 0.</summary>
    RollBack,
}

public enum CriterionOutcome
{
    Passed,
    Failed,

    /// <summary>Not enough figures yet.</summary>
    Waiting,

    /// <summary>Not checked: switched off, or meaningless for this mode or task.</summary>
    Skipped,
}

/// <summary>One criterion's result, with the figures it compared (e.g. "candidate 0.8% <= 1%").</summary>
public sealed record CriterionCheck(string Criterion, CriterionOutcome Outcome, string Detail);
