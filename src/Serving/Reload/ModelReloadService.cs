using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using MLPipeline.Serving.Loading;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;

namespace MLPipeline.Serving.Reload;

/// <summary>
/// Hot reload: one <see cref="ModelWatch"/> per served model, started when the model appears in the pool and stopped
/// when it goes. Each replica watches its sources on its own; nothing needs a message bus.
/// </summary>
public sealed partial class ModelReloadService(PredictionEnginePool pool, IOptions<ServingOptions> options, ILogger<ModelReloadService> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, ModelWatch> _watches = new(StringComparer.Ordinal);
    private readonly Lock _sync = new();

    private ReloadOptions Settings => options.Value.Reload;

    /// <summary>Checks the model's source now through its watcher (the reload route): loads, verifies, warms up and swaps.</summary>
    /// <exception cref="ModelSourceException">The load failed; the served version stays.</exception>
    public async Task ReloadNowAsync(ModelSlot slot, bool acceptSchemaChange, CancellationToken cancellationToken)
    {
        Sync();
        if (_watches.TryGetValue(slot.Name, out var watch) && ReferenceEquals(watch.Slot, slot))
        {
            await watch.CheckAsync(force: true, acceptSchemaChange, cancellationToken);
        }
        else
        {
            await pool.LoadAsync(slot, acceptSchemaChange, cancellationToken);
        }
    }

    /// <summary>Starts watches for models added to the pool and stops those of models removed from it.</summary>
    public void Sync()
    {
        if (!Settings.Enabled)
        {
            return;
        }

        lock (_sync)
        {
            var slots = pool.Models.ToDictionary(s => s.Name, StringComparer.Ordinal);
            foreach (var (name, watch) in _watches)
            {
                if (!slots.TryGetValue(name, out var slot) || !ReferenceEquals(slot, watch.Slot))
                {
                    _watches.TryRemove(name, out _);
                    watch.Dispose();

                    // A load that was under way when the model was removed may still swap into the removed slot: unload it once the loop ends.
                    var removed = watch.Slot;
                    _ = watch.Loop.ContinueWith(_ => removed.Unload(), TaskScheduler.Default);
                }
            }

            foreach (var slot in slots.Values)
            {
                if (!_watches.ContainsKey(slot.Name) && ModelSourceWatchers.For(slot.Loader, Settings) is { } watcher)
                {
                    _watches[slot.Name] = new ModelWatch(pool, slot, watcher, Settings);
                    LogWatching(logger, slot.Name, slot.Loader.Description, watcher.PollInterval);
                }
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Models registered by discovery (or by configuration changes) are picked up here; the reconciler also syncs at once.
        while (!stoppingToken.IsCancellationRequested)
        {
            Sync();
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        foreach (var watch in _watches.Values)
        {
            watch.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching model {Model} ({Source}) every {Interval} for new versions.")]
    private static partial void LogWatching(ILogger logger, string model, string source, TimeSpan interval);
}
