using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using MLPipeline.Serving.Hosting;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;

namespace MLPipeline.Serving.Reload;

/// <summary>
/// Runtime configuration changes (appsettings.json is reloaded on change): a model added to Serving:Sources or
/// Serving:Models starts serving (its watch loads it), one removed stops, one whose source changed is registered anew.
/// An invalid new configuration is logged and ignored: the models served stay as they are.
/// </summary>
public sealed partial class ConfigurationReconciler(
    IConfiguration configuration,
    IValidateOptions<ServingOptions> validator,
    ConfiguredModelDiscovery discovery,
    PredictionEnginePool pool,
    ModelReloadService reloads,
    ILogger<ConfigurationReconciler> logger) : IHostedService, IDisposable
{
    private readonly SemaphoreSlim _applying = new(1, 1);
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // The configuration's own reload token (not IOptionsMonitor, whose validation would throw on the reload thread).
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, () => _ = ApplyAsync(Read()));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _applying.Dispose();
    }

    /// <summary>The Serving section as it reads now, or null (logged) when it does not validate.</summary>
    private ServingOptions? Read()
    {
        var settings = configuration.GetSection(ServingOptions.Section).Get<ServingOptions>() ?? new ServingOptions();
        var result = validator.Validate(Microsoft.Extensions.Options.Options.DefaultName, settings);
        if (result.Failed)
        {
            LogIgnored(logger, result.FailureMessage);
            return null;
        }

        return settings;
    }

    /// <summary>Brings the served models in line with <paramref name="settings"/>.</summary>
    public async Task ApplyAsync(ServingOptions? settings)
    {
        if (settings is null)
        {
            return;
        }

        await _applying.WaitAsync();
        try
        {
            var plan = (await discovery.PlanAsync(settings, CancellationToken.None)).ToDictionary(p => p.Name, p => p.Loader, StringComparer.Ordinal);
            foreach (var slot in pool.Models)
            {
                if (!plan.TryGetValue(slot.Name, out var loader) || loader.Description != slot.Loader.Description)
                {
                    pool.Unregister(slot.Name);
                }
            }

            foreach (var (name, loader) in plan)
            {
                if (pool.Find(name) is null)
                {
                    pool.Register(name, loader);
                    LogAdded(logger, name, loader.Description);
                }
            }

            reloads.Sync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A configuration that does not validate (or a store that cannot be listed) changes nothing.
            LogIgnored(logger, ex.Message);
        }
        finally
        {
            _applying.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration changed: model {Model} added ({Source}).")]
    private static partial void LogAdded(ILogger logger, string model, string source);

    [LoggerMessage(Level = LogLevel.Error, Message = "Configuration changed but was not applied: {Error}")]
    private static partial void LogIgnored(ILogger logger, string error);
}
