using System.CommandLine;
using System.Globalization;
using MLPipeline.Shared.Rollout;
using MLPipeline.Shared.Store;

namespace MLPipeline.Training.Cli;

/// <summary>
/// <c>rollout start|status|step|wait|pause|resume|promote|abort</c>: a safe rollout of a candidate version, recorded in
/// the store beside the aliases and followed by every serving replica (docs/rollout.md).
/// </summary>
public static class RolloutCommand
{
    public static Command Create() => new("rollout", "Roll a new version out through canary or shadow traffic, judged on live figures, promoted or rolled back by itself (docs/rollout.md).")
    {
        Start(), Status(), Step(), Wait(),
        Change("pause", "Hold the rollout at its weight; nothing is judged until resume.", (r, figures, by, reason, now) => RolloutTransitions.Pause(r, by, now)),
        Change("resume", "Run a paused rollout again; its step starts over with fresh figures.", (r, figures, by, reason, now) => RolloutTransitions.Resume(r, by, now)),
        Change("promote", "Promote the candidate now, whatever the figures say: the alias moves to it.", (r, figures, by, reason, now) => RolloutTransitions.Promote(r, reason ?? "promoted by hand", figures, by, now), recordsFigures: true),
        Change("abort", "Roll back now: weight 0, the alias stays on the stable version.", (r, figures, by, reason, now) => RolloutTransitions.RollBack(r, reason ?? "aborted by hand", figures, by, now), recordsFigures: true),
    };

    private static Argument<string> NameArgument() => new("name") { Description = "The model name." };

    private static Command Start()
    {
        var name = NameArgument();
        var candidate = new Option<string>("--candidate") { Description = "The version to roll out, or @alias for the version an alias names (e.g. @staging).", Required = true };
        var alias = new Option<string>("--alias") { Description = "The alias that names the stable version and moves to the candidate when promoted.", DefaultValueFactory = _ => "production" };
        var mode = new Option<string>("--mode") { Description = "canary: the candidate answers a share of requests; shadow: it scores a copy nobody sees.", DefaultValueFactory = _ => "canary" };
        mode.AcceptOnlyFromAmong("canary", "shadow");
        var steps = new Option<string?>("--steps") { Description = "Weights in percent, increasing, the last 100 (default canary 5,25,50,100; shadow 10,50,100)." };
        var stepTime = new Option<string>("--step-time") { Description = "How long each step runs with every criterion met: 90s, 5m, 1h.", DefaultValueFactory = _ => "5m" };
        var sticky = new Option<string?>("--sticky-header") { Description = "A request header (e.g. X-User-Id) whose value keeps a caller on one version on every replica." };
        var defaults = new RolloutCriteria();
        var minRequests = new Option<int>("--min-requests") { Description = "Requests each version needs in a step before it is judged.", DefaultValueFactory = _ => defaults.MinRequests };
        var maxErrorRate = Criterion("--max-error-rate", "The candidate's error rate, at most (0.01 = 1%).", defaults.MaxErrorRate);
        var overStable = Criterion("--max-error-rate-over-stable", "The candidate's error rate minus stable's, at most.", defaults.MaxErrorRateOverStable);
        var latency = Criterion("--max-latency-ratio", "The candidate's p99 over stable's, at most.", defaults.MaxLatencyRatio);
        var agreement = Criterion("--min-agreement", "Shadow mode, classification: share of copies with stable's label, at least.", defaults.MinAgreement);
        var shift = Criterion("--max-score-shift", "Kolmogorov-Smirnov distance between the score distributions, at most (0 to 1).", defaults.MaxScoreShift);
        var quality = Criterion("--max-quality-drop", "Live quality (from monitoring's feedback): how much worse than stable's, at most.", defaults.MaxQualityDrop);
        var qualityLabels = new Option<int>("--min-quality-labels") { Description = "Feedback labels each version needs before live quality is judged.", DefaultValueFactory = _ => defaults.MinQualityLabels };
        var store = StoreOptions.Store();
        var json = CommandOutput.JsonOption();
        var command = new Command("start", "Start a rollout of a candidate against the version the alias names now. Criteria take a number, or 'off'.")
        {
            name, candidate, alias, mode, steps, stepTime, sticky, minRequests, maxErrorRate, overStable, latency, agreement, shift, quality, qualityLabels, store, json,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(
            async () =>
            {
                var model = StoreNames.Check(parse.GetValue(name)!, "model name");
                var aliasName = StoreNames.Check(parse.GetValue(alias)!, "alias");
                var rollouts = new RolloutStore(ModelStoreFactory.Open(parse.GetValue(store)));
                var stable = await rollouts.Store.FindAliasAsync(model, aliasName, cancellationToken)
                    ?? throw new ModelNotFoundException($"Alias {model}@{aliasName} does not exist in {rollouts.Store.Location}: a rollout starts from the version it names.");
                var wanted = parse.GetValue(candidate)!;
                var target = await rollouts.Store.ResolveAsync(ModelReference.Parse(wanted.StartsWith('@') ? model + wanted : $"{model}:{wanted}"), cancellationToken);
                var criteria = new RolloutCriteria
                {
                    MinRequests = parse.GetValue(minRequests),
                    MaxErrorRate = Value(parse.GetValue(maxErrorRate), "--max-error-rate"),
                    MaxErrorRateOverStable = Value(parse.GetValue(overStable), "--max-error-rate-over-stable"),
                    MaxLatencyRatio = Value(parse.GetValue(latency), "--max-latency-ratio"),
                    MinAgreement = Value(parse.GetValue(agreement), "--min-agreement"),
                    MaxScoreShift = Value(parse.GetValue(shift), "--max-score-shift"),
                    MaxQualityDrop = Value(parse.GetValue(quality), "--max-quality-drop"),
                    MinQualityLabels = parse.GetValue(qualityLabels),
                };
                var existing = await rollouts.ReadAsync(model, cancellationToken);
                if (existing is { IsActive: true })
                {
                    throw new RolloutStateException($"A rollout of {model} ({existing.Candidate}) is {RolloutOutput.State(existing.State)}; promote or abort it first.");
                }

                if (target.Version == stable.Version)
                {
                    throw new ArgumentException($"{wanted} is {target.Version}, the version {model}@{aliasName} names already: nothing to roll out.");
                }

                var record = RolloutTransitions.Start(
                    model, aliasName, stable.Version, target.Version, parse.GetValue(mode) == "shadow" ? RolloutMode.Shadow : RolloutMode.Canary,
                    parse.GetValue(steps) is { } plan ? Steps(plan) : null, StepTime.Parse(parse.GetValue(stepTime)!, "--step-time"),
                    parse.GetValue(sticky), criteria, AliasMover.Identity, DateTimeOffset.UtcNow);
                await rollouts.DeleteFiguresAsync(model, cancellationToken); // Left by replicas after the last rollout ended.
                record = await rollouts.WriteAsync(record, existing, cancellationToken);
                RolloutOutput.Write(new CommandOutput(parse), record, RolloutFigures.Empty, RolloutDecision.Decide(record, RolloutFigures.Empty, DateTimeOffset.UtcNow), parse.GetValue(json));
                return ExitCodes.Ok;
            },
            parse.InvocationConfiguration.Error));
        return command;
    }

    private static Command Status()
    {
        var name = NameArgument();
        var store = StoreOptions.Store();
        var json = CommandOutput.JsonOption();
        var command = new Command("status", "The rollout: its plan and state, this step's figures per version summed over every replica, each criterion now, and the history.")
        {
            name, store, json,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(
            async () =>
            {
                var rollouts = new RolloutStore(ModelStoreFactory.Open(parse.GetValue(store)));
                var record = await ReadAsync(rollouts, parse.GetValue(name)!, cancellationToken);
                var figures = record.IsActive ? await rollouts.SumFiguresAsync(record, cancellationToken) : RolloutFigures.Empty;
                RolloutOutput.Write(new CommandOutput(parse), record, figures, RolloutDecision.Decide(record, figures, DateTimeOffset.UtcNow), parse.GetValue(json));
                return ExitCodes.Ok;
            },
            parse.InvocationConfiguration.Error));
        return command;
    }

    private static Command Step()
    {
        var name = NameArgument();
        var store = StoreOptions.Store();
        var json = CommandOutput.JsonOption();
        var command = new Command("step", "Judge the rollout now, as a replica does: step on, promote or roll back when the figures say so (first writer wins).")
        {
            name, store, json,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(
            async () =>
            {
                var rollouts = new RolloutStore(ModelStoreFactory.Open(parse.GetValue(store)));
                var result = await rollouts.StepAsync(StoreNames.Check(parse.GetValue(name)!, "model name"), AliasMover.Identity, DateTimeOffset.UtcNow, cancellationToken);
                RolloutOutput.Write(new CommandOutput(parse), result.Record, result.Figures, result.Verdict, parse.GetValue(json));
                return ExitCodes.Ok;
            },
            parse.InvocationConfiguration.Error));
        return command;
    }

    private static Command Wait()
    {
        var name = NameArgument();
        var timeout = new Option<string>("--timeout") { Description = "How long to wait: 30m, 2h.", DefaultValueFactory = _ => "60m" };
        var interval = new Option<string>("--interval") { Description = "How often to read the rollout (each read also judges it, like rollout step).", DefaultValueFactory = _ => "15s" };
        var store = StoreOptions.Store();
        var json = CommandOutput.JsonOption();
        var command = new Command("wait", $"Wait until the rollout ends: exit 0 when promoted, {ExitCodes.RolledBack} when rolled back, {ExitCodes.StillRunning} when still running at the timeout.")
        {
            name, timeout, interval, store, json,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(
            async () =>
            {
                var model = StoreNames.Check(parse.GetValue(name)!, "model name");
                var rollouts = new RolloutStore(ModelStoreFactory.Open(parse.GetValue(store)));
                var end = DateTimeOffset.UtcNow + StepTime.Parse(parse.GetValue(timeout)!, "--timeout");
                var every = StepTime.Parse(parse.GetValue(interval)!, "--interval");
                var output = new CommandOutput(parse);
                while (true)
                {
                    // Judging here too means a pipeline finishes the rollout even when no replica receives traffic to judge it.
                    var result = await rollouts.StepAsync(model, AliasMover.Identity, DateTimeOffset.UtcNow, cancellationToken);
                    var record = result.Record;
                    if (!record.IsActive && !(record.State == RolloutState.Promoted && !record.AliasMoved))
                    {
                        RolloutOutput.Write(output, record, result.Figures, result.Verdict, parse.GetValue(json));
                        return record.State == RolloutState.Promoted ? ExitCodes.Ok : ExitCodes.RolledBack;
                    }

                    if (DateTimeOffset.UtcNow >= end)
                    {
                        RolloutOutput.Write(output, record, result.Figures, result.Verdict, parse.GetValue(json));
                        output.Error.WriteLine($"rollout of {model} still {RolloutOutput.State(record.State)} at {record.Weight}% after {parse.GetValue(timeout)}.");
                        return ExitCodes.StillRunning;
                    }

                    output.Error.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} {model}: {RolloutOutput.State(record.State)} at {record.Weight}%: {result.Verdict.Reason}");
                    await Task.Delay(every, cancellationToken);
                }
            },
            parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>A change by hand; one that ends the rollout (<paramref name="recordsFigures"/>) keeps the figures of the moment in the history.</summary>
    private static Command Change(string verb, string description, Func<RolloutRecord, RolloutFigures?, string, string?, DateTimeOffset, RolloutRecord> change, bool recordsFigures = false)
    {
        var name = NameArgument();
        var reason = new Option<string?>("--reason") { Description = "Why, for the history." };
        var store = StoreOptions.Store();
        var json = CommandOutput.JsonOption();
        var command = new Command(verb, description) { name, reason, store, json };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(
            async () =>
            {
                var rollouts = new RolloutStore(ModelStoreFactory.Open(parse.GetValue(store)));
                var record = await ReadAsync(rollouts, parse.GetValue(name)!, cancellationToken);
                var by = AliasMover.Identity;
                var why = parse.GetValue(reason) is { } text ? $"{verb} by hand: {text}" : null;
                var figures = recordsFigures && record.State == RolloutState.Running ? await rollouts.SumFiguresAsync(record, cancellationToken) : null;
                record = await rollouts.WriteAsync(change(record, figures, by, why, DateTimeOffset.UtcNow), record, cancellationToken);

                record = await rollouts.CompletePromotionAsync(record, by, cancellationToken);
                RolloutOutput.Write(new CommandOutput(parse), record, RolloutFigures.Empty, RolloutDecision.Decide(record, RolloutFigures.Empty, DateTimeOffset.UtcNow), parse.GetValue(json));
                return ExitCodes.Ok;
            },
            parse.InvocationConfiguration.Error));
        return command;
    }

    private static async Task<RolloutRecord> ReadAsync(RolloutStore rollouts, string name, CancellationToken cancellationToken) =>
        await rollouts.ReadAsync(StoreNames.Check(name, "model name"), cancellationToken)
            ?? throw new ModelNotFoundException($"Model '{name}' has no rollout in {rollouts.Store.Location}; start one with 'rollout start {name} --candidate <version>'.");

    private static Option<string> Criterion(string name, string description, double? value) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => value?.ToString(CultureInfo.InvariantCulture) ?? "off",
    };

    /// <exception cref="ArgumentException">Neither a number nor 'off'.</exception>
    private static double? Value(string? text, string option) =>
        text is null or "off" ? null
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value >= 0 ? value
        : throw new ArgumentException($"{option} '{text}' is not a number (or 'off').");

    private static IReadOnlyList<int> Steps(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return parts.Select(p => int.TryParse(p.TrimEnd('%'), NumberStyles.None, CultureInfo.InvariantCulture, out var step)
            ? step
            : throw new ArgumentException($"--steps '{text}': '{p}' is not a whole percent; use e.g. 5,25,50,100.")).ToList();
    }
}
