using System.Text.Json;
using Azure.Storage.Queues.Models;
using Microsoft.ML;
using MLPipeline.Training.Data;
using MLPipeline.Training.Search;
using MLPipeline.Training.Specs;
using MLPipeline.Training.Trainers;

namespace MLPipeline.Training.Distributed;

/// <summary>How a worker takes its messages.</summary>
/// <param name="VisibilityTimeout">How long a taken message stays hidden without renewal: a dead worker's trial comes back after it.</param>
/// <param name="MaxAttempts">Deliveries of one message before it goes to the poison queue and its trial is recorded as failed.</param>
/// <param name="IdleExit">The worker exits after the queue has been empty this long (a Container Apps Job execution ends).</param>
public sealed record WorkerOptions(TimeSpan VisibilityTimeout, int MaxAttempts, TimeSpan IdleExit)
{
    /// <summary>A failed attempt's message comes back this soon, not after the whole visibility timeout.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan EmptyQueueDelay { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// <c>mlpipeline worker</c>: takes trial messages from the queue, fetches each run's plan and data once (the data checked
/// against the plan's SHA-256), runs the trial and writes its result create-only. A trial that throws is retried; on its
/// last attempt (or when it comes back more often than allowed, its workers having died) it is recorded as failed and its
/// message moved to the poison queue.
/// </summary>
public sealed class TrialWorker(TrialQueues queues, RunFiles files, WorkerOptions options, TextWriter log) : IDisposable
{
    private readonly Dictionary<string, (StoredRows Rows, TrialEvaluator Evaluator)> _runs = [];
    private readonly string _name = $"{Environment.MachineName}/{Environment.ProcessId}";

    /// <returns>How many trials this worker recorded.</returns>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await queues.CreateIfMissingAsync(cancellationToken);
        queues.Undecodable = text => log.WriteLine($"worker {_name}: {text}");
        log.WriteLine($"worker {_name}: taking trials from {queues.Display}, results to {files.Location}");
        var recorded = 0;
        var idleSince = DateTimeOffset.UtcNow;
        while (!cancellationToken.IsCancellationRequested)
        {
            QueueMessage? message = await queues.CallAsync("take a message from", async () => (await queues.Trials.ReceiveMessageAsync(options.VisibilityTimeout, cancellationToken)).Value);
            if (message is null)
            {
                if (DateTimeOffset.UtcNow - idleSince >= options.IdleExit)
                {
                    log.WriteLine($"worker {_name}: queue empty for {options.IdleExit.TotalSeconds:F0} s, {recorded} trial(s) recorded; exiting");
                    break;
                }

                await Task.Delay(options.EmptyQueueDelay, cancellationToken);
                continue;
            }

            if (await HandleAsync(message, cancellationToken))
            {
                recorded++;
            }

            idleSince = DateTimeOffset.UtcNow;
        }

        return recorded;
    }

    private async Task<bool> HandleAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        await using var lease = new MessageLease(queues, message, options.VisibilityTimeout);
        TrialMessage trial;
        try
        {
            trial = JsonSerializer.Deserialize(message.Body.ToMemory().Span, TrialMessageJsonContext.Default.TrialMessage)
                ?? throw new JsonException("the message holds null");
        }
        catch (JsonException ex)
        {
            await PoisonAsync(message, lease, $"is not a trial ({ex.Message})", cancellationToken);
            return false;
        }

        if (trial.Problem() is { } problem)
        {
            // Nothing is recorded: a run id or trial number that is not one must not become a store path.
            await PoisonAsync(message, lease, $"is not a trial this worker may run: {problem}", cancellationToken);
            return false;
        }

        var path = RunPaths.Trial(trial.RunId, trial.Trial);
        if (await files.ReadAsync(path, cancellationToken) is not null)
        {
            log.WriteLine($"trial {trial.RunId}/{trial.Trial}: already recorded");
            await lease.DeleteAsync(cancellationToken);
            return false;
        }

        if (message.DequeueCount > options.MaxAttempts)
        {
            // Its earlier takers died without a word (killed, out of memory): give up on it rather than wait forever.
            await GiveUpAsync(trial, message, lease, $"given up after {options.MaxAttempts} attempt(s): the workers that took it stopped before finishing it", cancellationToken);
            return false;
        }

        log.WriteLine($"trial {trial.RunId}/{trial.Trial}: started (attempt {message.DequeueCount}) {trial.Trainer}");
        try
        {
            var evaluator = await RunOfAsync(trial.RunId, cancellationToken);
            var candidate = new TrainerCandidate(TrainerCatalog.Find(trial.Trainer, evaluator.Spec.Task, evaluator.Spec.SourcePath), trial.Options, trial.MaxRows);
            var result = evaluator.Run(new TrialRequest(trial.Trial, candidate, trial.Rung, trial.Fraction));
            var record = new TrialRecord(trial.Trial, trial.Rung, trial.Fraction, trial.Trainer, result.CrossValidation, result.Holdout,
                Math.Round(result.Duration.TotalSeconds, 3), null, _name, message.DequeueCount, trial.Options, trial.MaxRows);
            var created = await files.TryCreateAsync(path, JsonSerializer.SerializeToUtf8Bytes(record, RunJsonContext.Default.TrialRecord), cancellationToken);
            log.WriteLine($"trial {trial.RunId}/{trial.Trial}: {(created ? "recorded" : "already recorded by another worker")} ({result.Duration.TotalSeconds:F1} s)");
            await lease.DeleteAsync(cancellationToken);
            return created;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.WriteLine($"trial {trial.RunId}/{trial.Trial}: failed on attempt {message.DequeueCount} of {options.MaxAttempts}: {ex.Message}");
            if (message.DequeueCount >= options.MaxAttempts)
            {
                await GiveUpAsync(trial, message, lease, $"failed {options.MaxAttempts} time(s): {ex.Message}", cancellationToken);
            }
            else if (!await lease.ReleaseAsync(options.RetryDelay, cancellationToken))
            {
                log.WriteLine($"trial {trial.RunId}/{trial.Trial}: its message was gone when put back (deleted, or taken by another worker)");
            }

            return false;
        }
    }

    /// <summary>Moves a message that names no trial to the poison queue, as it came, for inspection.</summary>
    private async Task PoisonAsync(QueueMessage message, MessageLease lease, string problem, CancellationToken cancellationToken)
    {
        log.WriteLine($"worker {_name}: message {message.MessageId} {problem}; moved to the poison queue {queues.Poison.Name}");
        await MoveToPoisonAsync(message, lease, cancellationToken);
    }

    /// <summary>The message as it came to the poison queue (kept until someone looks), and off the trial queue.</summary>
    private async Task MoveToPoisonAsync(QueueMessage message, MessageLease lease, CancellationToken cancellationToken)
    {
        await queues.CallAsync("move a message to", () => queues.Poison.SendMessageAsync(message.Body, timeToLive: TimeSpan.FromSeconds(-1), cancellationToken: cancellationToken));
        await lease.DeleteAsync(cancellationToken);
    }

    /// <summary>Records the trial as failed (create-only: a late success stays) and moves its message to the poison queue.</summary>
    private async Task GiveUpAsync(TrialMessage trial, QueueMessage message, MessageLease lease, string error, CancellationToken cancellationToken)
    {
        var record = new TrialRecord(trial.Trial, trial.Rung, trial.Fraction, trial.Trainer, null, null, 0, error, _name, message.DequeueCount, trial.Options, trial.MaxRows);
        await files.TryCreateAsync(RunPaths.Trial(trial.RunId, trial.Trial), JsonSerializer.SerializeToUtf8Bytes(record, RunJsonContext.Default.TrialRecord), cancellationToken);
        await MoveToPoisonAsync(message, lease, cancellationToken);
        log.WriteLine($"trial {trial.RunId}/{trial.Trial}: recorded as failed, message moved to {queues.Poison.Name} ({error})");
    }

    /// <summary>Each run's plan and data are fetched once per worker; the data must hash to what the plan says.</summary>
    private async Task<TrialEvaluator> RunOfAsync(string runId, CancellationToken cancellationToken)
    {
        if (_runs.TryGetValue(runId, out var known))
        {
            return known.Evaluator;
        }

        var bytes = await files.ReadAsync(RunPaths.Plan(runId), cancellationToken)
            ?? throw new InvalidOperationException($"run {runId} has no plan at {files.Location}/{RunPaths.Plan(runId)}");
        var plan = JsonSerializer.Deserialize(bytes, RunJsonContext.Default.RunPlan)!;
        var spec = SpecLoader.Parse(plan.Spec.GetRawText(), $"{files.Location}/{RunPaths.Plan(runId)}");
        using var blob = await BlobDataFile.FetchAsync(spec, Path.GetTempPath(), cancellationToken);
        var rows = StoredRows.Read(spec, blob is null ? null : blob.Open);
        if (!string.Equals(rows.Profile.Sha256, plan.DataSha256, StringComparison.OrdinalIgnoreCase))
        {
            rows.Dispose();
            throw new InvalidDataException($"{plan.DataLocation} has SHA-256 {rows.Profile.Sha256}, but run {runId} was planned on {plan.DataSha256}: the data changed since.");
        }

        var ml = new MLContext(spec.Seed);
        var evaluator = new TrialEvaluator(spec, PreparedData.Create(ml, spec, rows.Profile, rows.Load(ml)));
        _runs[runId] = (rows, evaluator);
        log.WriteLine($"run {runId}: plan and data fetched ({rows.Profile.Rows} rows, SHA-256 verified)");
        return evaluator;
    }

    public void Dispose()
    {
        foreach (var (rows, _) in _runs.Values)
        {
            rows.Dispose();
        }
    }
}
