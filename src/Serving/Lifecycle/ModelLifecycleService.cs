using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Sources;

namespace MLPipeline.Serving.Lifecycle;

/// <summary>
/// Runs one <see cref="ModelLifecycle"/> per model in the pool, started when the model is registered and stopped when
/// it goes. Each replica watches its sources on its own; nothing needs a message bus.
/// </summary>
public sealed partial class ModelLifecycleService(PredictionEnginePool pool, IOptions<ServingOptions> options, ILogger<ModelLifecycleService> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, ModelLifecycle> _lifecycles = new(StringComparer.Ordinal);
    private readonly Lock _sync = new();
    private volatile bool _stopped;

    private ReloadOptions Settings => options.Value.Reload;

    /// <summary>Checks the model's source now and loads it even when unchanged (the reload route): verify, warm up, swap.</summary>
    /// <exception cref="ModelSourceException">The load failed; the served version stays.</exception>
    public async Task ReloadNowAsync(ModelSlot slot, bool acceptSchemaChange, CancellationToken cancellationToken)
    {
        Sync();
        if (_lifecycles.TryGetValue(slot.Name, out var lifecycle) && ReferenceEquals(lifecycle.Slot, slot))
        {
            await lifecycle.CheckAsync(force: true, acceptSchemaChange, cancellationToken);
        }
        else
        {
            await pool.LoadAsync(slot, acceptSchemaChange, cancellationToken);
        }
    }

    /// <summary>Starts a lifecycle for every model added to the pool and stops those of models removed from it.</summary>
    public void Sync()
    {
        lock (_sync)
        {
            if (_stopped)
            {
                return;
            }

            var slots = pool.Models.ToDictionary(s => s.Name, StringComparer.Ordinal);
            foreach (var (name, lifecycle) in _lifecycles)
            {
                if (!slots.TryGetValue(name, out var slot) || !ReferenceEquals(slot, lifecycle.Slot))
                {
                    _lifecycles.TryRemove(name, out _);
                    lifecycle.Dispose();

                    // A load under way when the model was removed may still swap into the removed slot: unload it once the loop ends.
                    var removed = lifecycle.Slot;
                    _ = lifecycle.Loop.ContinueWith(_ => removed.Unload(), TaskScheduler.Default);
                }
            }

            foreach (var slot in slots.Values)
            {
                if (!_lifecycles.ContainsKey(slot.Name))
                {
                    _lifecycles[slot.Name] = new ModelLifecycle(pool, slot, Settings);
                    LogStarted(logger, slot.Name, slot.Source.Description, Settings.Enabled ? slot.Source.PollInterval : Timeout.InfiniteTimeSpan);
                }
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        pool.ModelsChanged += Sync;
        try
        {
            Sync();
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        finally
        {
            pool.ModelsChanged -= Sync;
            lock (_sync)
            {
                _stopped = true;
                foreach (var lifecycle in _lifecycles.Values)
                {
                    lifecycle.Dispose();
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} ({Source}): loading, then checking for new versions every {Interval}.")]
    private static partial void LogStarted(ILogger logger, string model, string source, TimeSpan interval);
}
