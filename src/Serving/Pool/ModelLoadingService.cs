using MLPipeline.Serving.Loading;

namespace MLPipeline.Serving.Pool;

/// <summary>
/// Loads every registered model in the background once the host starts, so the app answers health probes at once
/// (not ready until all are loaded). A model that fails is retried with exponential backoff, up to a minute apart.
/// </summary>
public sealed partial class ModelLoadingService(PredictionEnginePool pool, IEnumerable<IModelDiscovery> discoveries, ILogger<ModelLoadingService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var discovery in discoveries)
        {
            try
            {
                await discovery.DiscoverAsync(pool, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogDiscoveryFailed(logger, ex.Message);
            }
        }

        pool.MarkDiscoveryComplete();
        var pending = pool.Models.Where(s => s.Current is null).ToList();
        var delay = TimeSpan.FromSeconds(1);
        while (pending.Count > 0 && !stoppingToken.IsCancellationRequested)
        {
            foreach (var slot in pending.ToList())
            {
                try
                {
                    // Only if empty: the model's reload watch may have loaded it meanwhile.
                    await pool.EnsureLoadedAsync(slot, stoppingToken);
                    pending.Remove(slot);
                }
                catch (ModelSourceException)
                {
                    // Recorded on the slot, logged and counted by the pool; tried again after the delay.
                }
            }

            if (pending.Count > 0)
            {
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMinutes(1).Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Model discovery failed: {Error}")]
    private static partial void LogDiscoveryFailed(ILogger logger, string error);
}
