namespace MLPipeline.Shared.Rollout;

/// <summary>Every change of a rollout record, as pure functions: each returns the next record with its history entry.</summary>
public static class RolloutTransitions
{
    public static readonly IReadOnlyList<int> DefaultCanarySteps = [5, 25, 50, 100];
    public static readonly IReadOnlyList<int> DefaultShadowSteps = [10, 50, 100];

    /// <exception cref="ArgumentException">The plan is not valid (steps, step time, names).</exception>
    public static RolloutRecord Start(
        string model, string alias, string stable, string candidate, RolloutMode mode, IReadOnlyList<int>? steps, TimeSpan stepTime,
        string? stickyHeader, RolloutCriteria criteria, string by, DateTimeOffset now)
    {
        var plan = steps ?? (mode == RolloutMode.Shadow ? DefaultShadowSteps : DefaultCanarySteps);
        var record = new RolloutRecord
        {
            Model = model,
            Id = $"{now:yyyyMMdd-HHmmss}-{Guid.NewGuid():N}"[..24],
            Alias = alias,
            Stable = stable,
            Candidate = candidate,
            Mode = mode,
            Steps = plan,
            Step = 0,
            Weight = plan.Count > 0 ? plan[0] : 0,
            StepTime = stepTime,
            StepStartedUtc = now,
            StickyHeader = stickyHeader,
            Criteria = criteria,
            State = RolloutState.Running,
            History = [],
        };
        var problems = RolloutValidation.Problems(record, model);
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid rollout plan: {string.Join("; ", problems)}.");
        }

        return record with
        {
            History = [Entry(now, by, RolloutAction.Started, 0, record.Weight, $"{mode.ToString().ToLowerInvariant()} of {candidate} against {stable} ({alias}), steps {string.Join(",", plan)}%, {stepTime} each", null)],
        };
    }

    /// <summary>Applies a verdict of <see cref="RolloutDecision"/>; a wait returns the record unchanged.</summary>
    public static RolloutRecord Apply(RolloutRecord record, RolloutVerdict verdict, RolloutFigures figures, string by, DateTimeOffset now) => verdict.Kind switch
    {
        RolloutVerdictKind.Step => record with
        {
            Step = verdict.NextStep,
            Weight = record.Steps[verdict.NextStep],
            StepStartedUtc = now,
            History = [.. record.History, Entry(now, by, RolloutAction.Stepped, record.Weight, record.Steps[verdict.NextStep], verdict.Reason, figures.Summaries(record))],
        },
        RolloutVerdictKind.Promote => Promote(record, verdict.Reason, figures, by, now),
        RolloutVerdictKind.RollBack => RollBack(record, verdict.Reason, figures, by, now),
        _ => record,
    };

    public static RolloutRecord Promote(RolloutRecord record, string reason, RolloutFigures? figures, string by, DateTimeOffset now) =>
        Ended(record, RolloutState.Promoted, 100, RolloutAction.Promoted, reason, figures, by, now);

    public static RolloutRecord RollBack(RolloutRecord record, string reason, RolloutFigures? figures, string by, DateTimeOffset now) =>
        Ended(record, RolloutState.RolledBack, 0, RolloutAction.RolledBack, reason, figures, by, now);

    public static RolloutRecord Pause(RolloutRecord record, string by, DateTimeOffset now) =>
        RequireState(record, RolloutState.Running, "pause") with
        {
            State = RolloutState.Paused,
            History = [.. record.History, Entry(now, by, RolloutAction.Paused, record.Weight, record.Weight, "paused by hand", null)],
        };

    /// <summary>Resumes at the same weight; the step starts again, with fresh figures.</summary>
    public static RolloutRecord Resume(RolloutRecord record, string by, DateTimeOffset now) =>
        RequireState(record, RolloutState.Paused, "resume") with
        {
            State = RolloutState.Running,
            StepStartedUtc = now,
            History = [.. record.History, Entry(now, by, RolloutAction.Resumed, record.Weight, record.Weight, "resumed by hand; the step starts again", null)],
        };

    /// <summary>The promoted rollout's alias now names the candidate (or was found moved elsewhere, and left alone).</summary>
    public static RolloutRecord AliasMoved(RolloutRecord record, string reason, string by, DateTimeOffset now) => record with
    {
        AliasMoved = true,
        History = [.. record.History, Entry(now, by, RolloutAction.AliasMoved, record.Weight, record.Weight, reason, null)],
    };

    private static RolloutRecord Ended(RolloutRecord record, RolloutState state, int weight, RolloutAction action, string reason, RolloutFigures? figures, string by, DateTimeOffset now)
    {
        if (!record.IsActive)
        {
            throw new RolloutStateException($"The rollout of {record.Model} ({record.Candidate}) is already {record.State.ToString().ToLowerInvariant()}.");
        }

        return record with
        {
            State = state,
            Weight = weight,
            History = [.. record.History, Entry(now, by, action, record.Weight, weight, reason, figures?.Summaries(record))],
        };
    }

    private static RolloutRecord RequireState(RolloutRecord record, RolloutState state, string verb) =>
        record.State == state
            ? record
            : throw new RolloutStateException($"Cannot {verb} the rollout of {record.Model}: it is {record.State.ToString().ToLowerInvariant()}, not {state.ToString().ToLowerInvariant()}.");

    private static RolloutTransition Entry(DateTimeOffset now, string by, RolloutAction action, int from, int to, string reason, IReadOnlyDictionary<string, FiguresSummary>? figures) => new()
    {
        AtUtc = now,
        By = by,
        Action = action,
        FromWeight = from,
        ToWeight = to,
        Reason = reason,
        Figures = figures,
    };
}
