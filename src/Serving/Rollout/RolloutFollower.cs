using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using MLPipeline.Serving.Observability;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Sources;
using MLPipeline.Shared.Rollout;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Rollout;

/// <summary>
/// Makes this replica follow every store model's rollout.json: reads it at every reload poll (a bad record is logged
/// and the last good one kept), keeps the candidate loaded and pinned while a rollout runs, routes by it, writes this
/// replica's figures every <see cref="RolloutOptions.StatsInterval"/> and judges the step, writing the verdict with an
/// ETag condition (the first replica to write wins; the others read the result). No leader, no message bus.
/// </summary>
public sealed partial class RolloutFollower(PredictionEnginePool pool, IOptions<ServingOptions> options, RolloutLiveQuality quality, ServingMetrics metrics, ILogger<RolloutFollower> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, Followed> _models = new(StringComparer.Ordinal);
    private readonly string _replica = options.Value.Rollout.ResolveReplica();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var poll = settings.Reload.PollInterval;
        var stats = settings.Rollout.StatsInterval;
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(Math.Min(poll.TotalMilliseconds, stats.TotalMilliseconds) / 4, 50, 1000));
        LogStarted(logger, _replica, poll, stats);
        while (!stoppingToken.IsCancellationRequested)
        {
            var served = pool.Models.Where(s => s.Source is IStoreModelSource).ToDictionary(s => s.Name, StringComparer.Ordinal);
            foreach (var (name, followed) in _models)
            {
                if (!served.TryGetValue(name, out var slot) || !ReferenceEquals(slot, followed.Slot))
                {
                    _models.TryRemove(name, out _);
                    End(followed);
                }
            }

            foreach (var slot in served.Values)
            {
                var followed = _models.GetOrAdd(slot.Name, _ => new Followed(slot, new RolloutStore(((IStoreModelSource)slot.Source).Store)));
                try
                {
                    var now = DateTimeOffset.UtcNow;
                    if (now >= followed.NextRead)
                    {
                        followed.NextRead = now + (poll * (1 + (Random.Shared.NextDouble() * 0.2)));
                        await ReadAsync(followed, stoppingToken);
                    }

                    if (now >= followed.NextStats && followed.Record is { } record && (record.State == RolloutState.Running || (record.State == RolloutState.Promoted && !record.AliasMoved)))
                    {
                        followed.NextStats = now + stats;
                        await WriteFiguresAndJudgeAsync(followed, record, stoppingToken);
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is ModelStoreException or ModelSourceException or HttpRequestException)
                {
                    Report(followed, $"the rollout could not be read or written: {ex.Message}", LogLevel.Warning);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // Nothing a rollout does may stop the host (a background service that throws ends the app): log and go on.
                    Report(followed, $"following the rollout failed unexpectedly ({ex.GetType().Name}: {ex.Message}); tried again at the next poll", LogLevel.Error);
                }
            }

            try
            {
                await Task.Delay(tick, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        foreach (var followed in _models.Values)
        {
            End(followed);
        }
    }

    private async Task ReadAsync(Followed followed, CancellationToken cancellationToken)
    {
        RolloutRecord? record;
        try
        {
            record = await followed.Rollouts.ReadAsync(followed.Slot.Name, cancellationToken);
        }
        catch (InvalidRolloutException ex)
        {
            // A bad record must not take the model down or change its routing: keep the last good one.
            Report(followed, $"{ex.Message} The last good record stays in force.", LogLevel.Error);
            return;
        }

        followed.Problem = null;
        await FollowAsync(followed, record, cancellationToken);
    }

    /// <summary>Routes by <paramref name="record"/>: loads and pins the candidate while the rollout needs it, drops it after.</summary>
    private async Task FollowAsync(Followed followed, RolloutRecord? record, CancellationToken cancellationToken)
    {
        var slot = followed.Slot;
        var previous = followed.Record;
        followed.Record = record;
        var needsCandidate = record is not null
            && (record.IsActive || (record.State == RolloutState.Promoted && slot.Current?.Version != record.Candidate));
        if (record is null || !needsCandidate)
        {
            if (previous is not null && (record is null || previous.ETag != record.ETag))
            {
                End(followed);
                if (record is not null)
                {
                    LogEnded(logger, slot.Name, record.Candidate, record.State.ToString(), record.History.Count > 0 ? record.History[^1].Reason : "");
                }
            }

            return;
        }

        if (followed.Collector is null || followed.CollectorKey != (record.Id, record.StepStartedUtc))
        {
            followed.Collector = new RolloutCollector(record.Stable, record.Candidate);
            followed.CollectorKey = (record.Id, record.StepStartedUtc);
        }

        followed.CandidateProblem = await CandidateProblemAsync(followed, record, cancellationToken);
        if (followed.CandidateProblem is not null || followed.Candidate?.Current is null)
        {
            slot.Rollout = null;
            metrics.RolloutRouted(slot.Name, 0);
            return;
        }

        // Promoted but this replica's alias poll has not swapped the candidate in yet: the candidate answers everything.
        var routed = record.State == RolloutState.Promoted ? record with { Mode = RolloutMode.Canary } : record;
        var weight = record.State == RolloutState.Promoted ? 100 : record.Weight;
        if (slot.Rollout is not { } current || current.Record.ETag != record.ETag || !ReferenceEquals(current.Collector, followed.Collector))
        {
            slot.Rollout = new RolloutRoute(routed, followed.Candidate, followed.Collector, weight);
            metrics.RolloutRouted(slot.Name, weight);
            if (previous?.ETag != record.ETag)
            {
                LogRouting(logger, slot.Name, record.Mode.ToString().ToLowerInvariant(), weight, record.Candidate, record.Stable, record.State.ToString());
            }
        }
    }

    /// <summary>Loads (once) and pins the candidate; null when it serves, else why it cannot.</summary>
    private async Task<string?> CandidateProblemAsync(Followed followed, RolloutRecord record, CancellationToken cancellationToken)
    {
        var slot = followed.Slot;
        var store = followed.Rollouts.Store;
        if (await store.FindVersionAsync(slot.Name, record.Candidate, cancellationToken) is null)
        {
            return $"version {record.Candidate} is no longer in the model store";
        }

        var key = $"{slot.Name}:{record.Candidate}";
        if (followed.Candidate is not { Current: not null } candidate || candidate.Name != key)
        {
            candidate = pool.OnDemand.GetOrAdd(key, () => new ModelSources(options.Value).Version(store, slot.Name, record.Candidate));
            pool.OnDemand.Pin(candidate);
            followed.Candidate = candidate;
            try
            {
                await pool.EnsureLoadedAsync(candidate, cancellationToken);
            }
            catch (ModelSourceException ex)
            {
                pool.OnDemand.Remove(candidate);
                followed.Candidate = null;
                return $"version {record.Candidate} could not be loaded: {ex.Message}";
            }
        }

        return slot.Current is { } served && candidate.Current is { } loaded && SchemaCompatibility.Check(served.Manifest, loaded.Manifest) is { } breach
            ? $"version {record.Candidate} {breach}"
            : null;
    }

    private async Task WriteFiguresAndJudgeAsync(Followed followed, RolloutRecord record, CancellationToken cancellationToken)
    {
        if (record.State == RolloutState.Running && followed.Collector is { } collector && followed.CollectorKey == (record.Id, record.StepStartedUtc))
        {
            await followed.Rollouts.WriteFiguresAsync(new ReplicaFigures
            {
                Model = record.Model,
                RolloutId = record.Id,
                StepStartedUtc = record.StepStartedUtc,
                Replica = _replica,
                WrittenUtc = DateTimeOffset.UtcNow,
                Versions = collector.Snapshot(),
                ShadowDropped = collector.ShadowDropped,
                Quality = quality.Of(record),
                CandidateProblem = followed.CandidateProblem,
            }, cancellationToken);
        }

        var result = await followed.Rollouts.StepAsync(record.Model, _replica, DateTimeOffset.UtcNow, cancellationToken);
        if (result.Applied)
        {
            LogApplied(logger, record.Model, result.Verdict.Kind.ToString(), result.Record.Weight, result.Verdict.Reason);
        }

        if (result.Record.ETag != record.ETag)
        {
            await FollowAsync(followed, result.Record, cancellationToken);
        }
    }

    private void End(Followed followed)
    {
        followed.Slot.Rollout = null;
        metrics.RolloutRouted(followed.Slot.Name, 0);
        followed.Collector = null;
        followed.CandidateProblem = null;
        if (followed.Candidate is { } candidate)
        {
            pool.OnDemand.Unpin(candidate);
            followed.Candidate = null;
        }
    }

    /// <summary>Logs a problem once per distinct message.</summary>
    private void Report(Followed followed, string problem, LogLevel level)
    {
        if (followed.Problem != problem)
        {
            followed.Problem = problem;
            LogProblem(logger, level, followed.Slot.Name, problem);
        }
    }

    private sealed class Followed(ModelSlot slot, RolloutStore rollouts)
    {
        public ModelSlot Slot { get; } = slot;
        public RolloutStore Rollouts { get; } = rollouts;
        public RolloutRecord? Record { get; set; }
        public RolloutCollector? Collector { get; set; }
        public (string Id, DateTimeOffset Step) CollectorKey { get; set; }
        public ModelSlot? Candidate { get; set; }
        public string? CandidateProblem { get; set; }
        public string? Problem { get; set; }
        public DateTimeOffset NextRead { get; set; }
        public DateTimeOffset NextStats { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rollouts: this replica is {Replica}; rollout.json read every {Poll}, figures written every {Stats}.")]
    private static partial void LogStarted(ILogger logger, string replica, TimeSpan poll, TimeSpan stats);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model}: {Mode} rollout at {Weight}% to {Candidate} against {Stable} ({State}).")]
    private static partial void LogRouting(ILogger logger, string model, string mode, int weight, string candidate, string stable, string state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model}: rollout of {Candidate} ended ({State}): {Reason}")]
    private static partial void LogEnded(ILogger logger, string model, string candidate, string state, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model}: this replica applied the rollout verdict {Verdict} (weight now {Weight}%): {Reason}")]
    private static partial void LogApplied(ILogger logger, string model, string verdict, int weight, string reason);

    [LoggerMessage(Message = "Model {Model}: {Problem}")]
    private static partial void LogProblem(ILogger logger, LogLevel level, string model, string problem);
}
