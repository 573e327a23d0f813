using System.Text.Json;
using System.Text.Json.Nodes;
using MLPipeline.Training.Cli;
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
                await queues.Trials.SendMessageAsync(JsonSerializer.Serialize(message, TrialMessageJsonContext.Default.TrialMessage), visibilityTimeout: null, timeToLive: TimeSpan.FromSeconds(-1), cancellationToken);
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
            if (results[i] is null && await files.ReadAsync(RunPaths.Trial(runId, trials[i].Number), cancellationToken) is { } bytes)
            {
                var record = JsonSerializer.Deserialize(bytes, RunJsonContext.Default.TrialRecord)!;
                results[i] = new CandidateResult(trials[i].Candidate, record.CrossValidation, record.Holdout, TimeSpan.FromSeconds(record.Seconds))
                {
                    Trial = record.Trial,
                    Rung = record.Rung,
                    Fraction = record.Fraction,
                    Error = record.Error,
                };
            }
        }
    }

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
            var existing = JsonSerializer.Deserialize(await files.ReadAsync(RunPaths.Plan(runId), cancellationToken) ?? [], RunJsonContext.Default.RunPlan)!;
            if (existing.DataSha256 != plan.DataSha256 || !JsonNode.DeepEquals(JsonNode.Parse(existing.Spec.GetRawText()), JsonNode.Parse(plan.Spec.GetRawText())))
            {
                throw new SpecException($"{spec.SourcePath}: run {runId} already exists in {files.Location} with another spec or data (data SHA-256 {existing.DataSha256}); give a new --run-id.");
            }

            progress.Note($"Run {runId}: resuming from the plan and the trials recorded in {files.Location}");
        }

        _planChecked = true;
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
