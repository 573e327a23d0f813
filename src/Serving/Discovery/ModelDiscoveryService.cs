using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;

namespace MLPipeline.Serving.Discovery;

/// <summary>
/// Decides which models exist, and keeps deciding while the service runs: at start, at every reload interval (a model
/// published to the store after the start is served without a restart; a store that is down is retried with backoff),
/// and at once when the configuration changes (appsettings.json is reloaded on change). A periodic pass only adds
/// models; a configuration change also removes the models it no longer names and re-registers those whose source
/// changed. An invalid new configuration is logged and ignored: the models served stay as they are.
/// </summary>
public sealed partial class ModelDiscoveryService : BackgroundService
{
    private readonly IConfiguration _configuration;
    private readonly IValidateOptions<ServingOptions> _validator;
    private readonly ServingPlan _plan;
    private readonly PredictionEnginePool _pool;
    private readonly ILogger<ModelDiscoveryService> _logger;
    private readonly SemaphoreSlim _changed = new(0);
    private ServingOptions _settings;
    private ServingOptions? _pending;

    public ModelDiscoveryService(IConfiguration configuration, IOptions<ServingOptions> options, IValidateOptions<ServingOptions> validator, ServingPlan plan, PredictionEnginePool pool, ILogger<ModelDiscoveryService> logger)
    {
        _configuration = configuration;
        _validator = validator;
        _plan = plan;
        _pool = pool;
        _logger = logger;
        _settings = options.Value;
        pool.RequireDiscovery();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The configuration's own reload token (not IOptionsMonitor, whose validation would throw on the reload thread).
        using var subscription = ChangeToken.OnChange(_configuration.GetReloadToken, OnConfigurationChanged);
        var failures = 0;
        var full = true;
        var wasEmpty = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var count = await ApplyAsync(_settings, full, stoppingToken);
                full = false;
                _pool.MarkDiscoveryComplete();
                if (failures > 0)
                {
                    LogRecovered(_logger);
                }

                failures = 0;
                if (count == 0 && !wasEmpty)
                {
                    LogNothingToServe(_logger);
                }

                wasEmpty = count == 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A store that is down or a listing that fails changes nothing: the models served stay, and it is tried again.
                failures++;
                LogFailed(_logger, failures, ex.Message);
            }

            // A configuration change that could not be applied yet is applied in full on the next pass.
            full |= await WaitAsync(NextDelay(failures), stoppingToken);
        }
    }

    /// <summary>Registers the planned models that are new; with <paramref name="full"/> also drops and replaces changed ones.</summary>
    private async Task<int> ApplyAsync(ServingOptions settings, bool full, CancellationToken cancellationToken)
    {
        var plan = await _plan.ResolveAsync(settings, cancellationToken);
        var wanted = plan.ToDictionary(p => p.Name, p => p.Source, StringComparer.Ordinal);
        if (full)
        {
            foreach (var slot in _pool.Models)
            {
                if (!wanted.TryGetValue(slot.Name, out var source) || source.Description != slot.Source.Description)
                {
                    _pool.Unregister(slot.Name);
                }
            }
        }

        foreach (var (name, source) in plan)
        {
            if (_pool.Find(name) is null)
            {
                _pool.Register(name, source);
                LogAdded(_logger, name, source.Description);
            }
            else
            {
                source.Dispose();
            }
        }

        return plan.Count;
    }

    private TimeSpan NextDelay(int failures)
    {
        var reload = _settings.Reload;
        if (failures > 0)
        {
            var backoff = TimeSpan.FromSeconds(1) * Math.Pow(2, Math.Min(failures - 1, 20));
            return backoff < reload.MaxBackoff ? backoff : reload.MaxBackoff;
        }

        // Only a store listing can find new models; named models and direct sources wait for a configuration change.
        var listsStore = _settings.Models.Count == 0 && _settings.Sources.Count == 0;
        return reload.Enabled && listsStore ? reload.PollInterval : Timeout.InfiniteTimeSpan;
    }

    /// <summary>Waits for the delay or a valid configuration change; true when the configuration changed.</summary>
    private async Task<bool> WaitAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        if (!await _changed.WaitAsync(delay, stoppingToken))
        {
            return false;
        }

        while (_changed.CurrentCount > 0)
        {
            await _changed.WaitAsync(stoppingToken);
        }

        if (Interlocked.Exchange(ref _pending, null) is { } next)
        {
            _settings = next;
        }

        return true;
    }

    private void OnConfigurationChanged()
    {
        var settings = _configuration.GetSection(ServingOptions.Section).Get<ServingOptions>() ?? new ServingOptions();
        var result = _validator.Validate(Microsoft.Extensions.Options.Options.DefaultName, settings);
        if (result.Failed)
        {
            LogIgnored(_logger, result.FailureMessage);
            return;
        }

        Interlocked.Exchange(ref _pending, settings);
        _changed.Release();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} added ({Source}).")]
    private static partial void LogAdded(ILogger logger, string model, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Nothing to serve yet: the model store has no models (a model published later is served within the reload interval).")]
    private static partial void LogNothingToServe(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Model discovery failed (attempt {Attempt}), retried with backoff; the models served stay: {Error}")]
    private static partial void LogFailed(ILogger logger, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model discovery works again.")]
    private static partial void LogRecovered(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Configuration changed but was not applied: {Error}")]
    private static partial void LogIgnored(ILogger logger, string error);
}
