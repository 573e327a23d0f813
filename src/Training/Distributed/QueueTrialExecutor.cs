using System.Text.Json;
using System.Text.Json.Nodes;
using MLPipeline.Shared.Store;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Evaluation;
using MLPipeline.Training.Runs;
using MLPipeline.Training.Search;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Distributed;

/// <summary>
/// The coordinator's side of a distributed search: writes the run's plan to the store once, queues one message per
/// trial that has no result yet, and waits for the workers' result files. Started again with the same run id it
/// finds the plan and the results already recorded and queues only what is missing.
/// </summary>
public sealed class QueueTrialExecutor(TrialQueues queues, RunFiles files, string runId, TrialEvaluator local, IRunProgress progress) : ITrialExecutor
{
    private bool _planChecked;

    /// <summary>How often the store is asked for results.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public async Task<IReadOnlyList<CandidateResult>> RunAsync(IReadOnlyList<TrialRequest> trials, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        await EnsurePlanAsync(cancellationToken);
        var results = new CandidateResult?[trials.Count];
        await CollectAsync(trials, results, cancellationToken);
        var recorded = results.Count(r => r is not null);
        if (recorded > 0)
        {
            progress.Note($"Run {runId}: {recorded} of trials {trials[0].Number}-{trials[^1].Number} already recorded; not queued again.");
        }

        for (var i = 0; i < trials.Count; i++)
        {
            if (results[i] is null)
            {
                var trial = trials[i];
                var message = new TrialMessage(runId, trial.Number, trial.Rung, trial.Fraction, trial.Candidate.Definition.Name, trial.Candidate.Options, trial.Candidate.MaxRows);
                await queues.CallAsync("send a trial to", () => queues.Trials.SendMessageAsync(JsonSerializer.Serialize(message, TrialMessageJsonContext.Default.TrialMessage), visibilityTimeout: null, timeToLive: TimeSpan.FromSeconds(-1), cancellationToken));
            }
        }

        using (var step = progress.Start($"Trials {trials[0].Number}-{trials[^1].Number} on the workers of {queues.Display}", trials.Count))
        {
            for (var i = 0; i < recorded; i++)
            {
                step.Advance();
            }

            while (results.Any(r => r is null))
            {
                if (deadline is { } end && DateTimeOffset.UtcNow >= end)
                {
                    progress.Note($"Run {runId}: the search budget ran out; {results.Count(r => r is null)} trial(s) left unrecorded.");
                    for (var i = 0; i < trials.Count; i++)
                    {
                        results[i] ??= SearchDriver.Skipped(trials[i]);
                    }

                    break;
                }

                await Task.Delay(PollInterval, cancellationToken);
                var before = results.Count(r => r is not null);
                await CollectAsync(trials, results, cancellationToken);
                for (var i = before; i < results.Count(r => r is not null); i++)
                {
                    step.Advance();
                }
            }
        }

        return results!;
    }

    private async Task CollectAsync(IReadOnlyList<TrialRequest> trials, CandidateResult?[] results, CancellationToken cancellationToken)
    {
        for (var i = 0; i < trials.Count; i++)
        {
            var path = RunPaths.Trial(runId, trials[i].Number);
            if (results[i] is null && await files.ReadAsync(path, cancellationToken) is { } bytes)
            {
                results[i] = Result(trials[i], bytes, $"{files.Location}/{path}");
            }
        }
    }

    /// <summary>
    /// The trial's result from its file, or the trial failed with the reason when the file is not a record of this very
    /// trial (torn, edited, or written for another configuration by a replayed or forged message): it is create-only, so
    /// it cannot be written again, and the search goes on with the other trials.
    /// </summary>
    private CandidateResult Result(TrialRequest trial, byte[] bytes, string file)
    {
        TrialRecord? record;
        try
        {
            record = JsonSerializer.Deserialize(bytes, RunJsonContext.Default.TrialRecord);
        }
        catch (JsonException ex)
        {
            return Failed(trial, $"{file} is not a trial record ({ex.Message})");
        }

        if (record is null)
        {
            return Failed(trial, $"{file} is not a trial record (it holds null)");
        }

        if (Mismatch(trial, record) is { } mismatch)
        {
            return Failed(trial, $"{file} records another trial than the one planned ({mismatch}); its result is not used");
        }

        var metric = MetricNames.MainMetric(local.Spec.Task);
        var hasMetric = record.CrossValidation is { } folds ? folds.TryGetValue(metric, out var summary) && summary is not null : record.Holdout?.ContainsKey(metric) == true;
        if (record.Error is null && !hasMetric)
        {
            return Failed(trial, $"{file} has neither an error nor the main metric {metric}");
        }

        return new CandidateResult(trial.Candidate, record.CrossValidation, record.Holdout, TimeSpan.FromSeconds(double.IsFinite(record.Seconds) && record.Seconds >= 0 ? record.Seconds : 0))
        {
            Trial = record.Trial,
            Rung = record.Rung,
            Fraction = record.Fraction,
            Error = record.Error,
        };
    }

    private static string? Mismatch(TrialRequest trial, TrialRecord record)
    {
        var candidate = trial.Candidate;
        var problems = new List<string>();
        if (record.Trial != trial.Number)
        {
            problems.Add($"trial {record.Trial}, not {trial.Number}");
        }

        if (record.Rung != trial.Rung)
        {
            problems.Add($"rung {record.Rung}, not {trial.Rung}");
        }

        if (record.Fraction != trial.Fraction)
        {
            problems.Add($"fraction {record.Fraction.ToString(System.Globalization.CultureInfo.InvariantCulture)}, not {trial.Fraction.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        }

        if (!string.Equals(record.Trainer, candidate.Definition.Name, StringComparison.Ordinal))
        {
            problems.Add($"trainer {record.Trainer ?? "(none)"}, not {candidate.Definition.Name}");
        }

        // Records of older workers carry no options: they are checked on the rest.
        if (record.Options is { } options
            && (options.Count != candidate.Options.Count || record.MaxRows != candidate.MaxRows
                || candidate.Options.Any(o => !options.TryGetValue(o.Key, out var value) || !JsonElement.DeepEquals(value, o.Value))))
        {
            problems.Add("other trainer options");
        }

        return problems.Count == 0 ? null : string.Join(", ", problems);
    }

    private static CandidateResult Failed(TrialRequest trial, string error) =>
        new(trial.Candidate, null, null, TimeSpan.Zero) { Trial = trial.Number, Rung = trial.Rung, Fraction = trial.Fraction, Error = error };

    /// <summary>The plan is written once; a restarted coordinator must bring the same spec and data.</summary>
    private async Task EnsurePlanAsync(CancellationToken cancellationToken)
    {
        if (_planChecked)
        {
            return;
        }

        var spec = local.Spec;
        var plan = Plan(runId, spec, local.Data.Profile.Sha256);
        await queues.CreateIfMissingAsync(cancellationToken);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(plan, RunJsonContext.Default.RunPlan);
        if (await files.TryCreateAsync(RunPaths.Plan(runId), bytes, cancellationToken))
        {
            progress.Note($"Run {runId}: plan written to {files.Location}/{RunPaths.Plan(runId)}");
        }
        else
        {
            var existing = await ExistingPlanAsync(cancellationToken);
            if (existing.DataSha256 != plan.DataSha256 || !JsonNode.DeepEquals(JsonNode.Parse(existing.Spec.GetRawText()), JsonNode.Parse(plan.Spec.GetRawText())))
            {
                throw new SpecException($"{spec.SourcePath}: run {runId} already exists in {files.Location} with another spec or data (data SHA-256 {existing.DataSha256}); give a new --run-id.");
            }

            progress.Note($"Run {runId}: resuming from the plan and the trials recorded in {files.Location}");
        }

        _planChecked = true;
    }

    /// <summary>The plan a run id already has; one that is gone, torn or edited is a store error naming it (the run cannot be resumed).</summary>
    private async Task<RunPlan> ExistingPlanAsync(CancellationToken cancellationToken)
    {
        var file = $"{files.Location}/{RunPaths.Plan(runId)}";
        try
        {
            var bytes = await files.ReadAsync(RunPaths.Plan(runId), cancellationToken) ?? throw new JsonException("the file disappeared while it was read");
            var plan = JsonSerializer.Deserialize(bytes, RunJsonContext.Default.RunPlan) ?? throw new JsonException("it holds null");
            return plan.Spec.ValueKind == JsonValueKind.Object && plan.DataSha256 is not null ? plan : throw new JsonException("it has no spec or data SHA-256");
        }
        catch (JsonException ex)
        {
            throw new ModelStoreException($"{file}: run {runId} has a plan that is not one ({ex.Message}); give a new --run-id.", ex);
        }
    }

    /// <summary>The spec as read, with data.path made absolute so a worker anywhere finds the same data.</summary>
    public static RunPlan Plan(string runId, TrainingSpec spec, string dataSha256)
    {
        var json = JsonNode.Parse(spec.Raw.GetRawText())!.AsObject();
        json["data"]!["path"] = spec.DataPath;
        return new RunPlan(runId, Path.GetFileName(spec.SourcePath), JsonSerializer.SerializeToElement(json), spec.DataPath, dataSha256,
            spec.Search.Strategy.ToString().ToLowerInvariant(), spec.Search.Seed, DateTimeOffset.UtcNow);
    }
}
