using Microsoft.Extensions.DependencyInjection;
using MLPipeline.Serving.Monitoring;
using MLPipeline.Serving.Observability;

namespace MLPipeline.Serving.Tests.Monitoring;

/// <summary>The real service with monitoring settings, and reads of its monitoring state.</summary>
public static class MonitoringApp
{
    public static ServingApp Create(TrainedModels models, string? logStore, params (string Key, string? Value)[] settings)
    {
        var all = new Dictionary<string, string?>
        {
            ["Serving:Models:0"] = TrainedModels.HousePrices,
            ["Serving:Models:1"] = TrainedModels.Cancer,
            ["Serving:Models:2"] = TrainedModels.Iris,
            ["Serving:Monitoring:Store"] = logStore,
            ["Serving:Monitoring:Replica"] = "test-replica",
            ["shutdownTimeoutSeconds"] = "5",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return new ServingApp(models, all);
    }

    public static MonitoringRegistry Registry(this ServingApp app) => app.Services.GetRequiredService<MonitoringRegistry>();

    public static double Dropped(this ServingApp app, string model)
    {
        var text = new MemoryStream();
        app.Services.GetRequiredService<ServingMetrics>().Registry.CollectAndExportAsTextAsync(text).GetAwaiter().GetResult();
        var line = System.Text.Encoding.UTF8.GetString(text.ToArray()).Split('\n')
            .FirstOrDefault(l => l.StartsWith($"mlpipeline_prediction_log_dropped_total{{model=\"{model}\"}}", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
