using Prometheus;

namespace MLPipeline.Serving.Observability;

/// <summary>
/// The service's Prometheus metrics, in a registry of its own (one per app instance, so parallel test hosts do not
/// share counters). Unknown model names are counted under one label value to keep cardinality bounded.
/// </summary>
public sealed class ServingMetrics
{
    public const string UnknownModel = "(unknown)";

    private readonly Counter _requests;
    private readonly Counter _errors;
    private readonly Histogram _latency;
    private readonly Counter _loads;
    private readonly Counter _loadFailures;
    private readonly Gauge _served;
    private readonly Counter _predictions;

    public ServingMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        _requests = factory.CreateCounter("mlpipeline_predict_requests_total", "Prediction requests answered, by model, version and protocol.", "model", "version", "protocol");
        _predictions = factory.CreateCounter("mlpipeline_predictions_total", "Rows predicted, by model and version.", "model", "version");
        _errors = factory.CreateCounter("mlpipeline_predict_errors_total", "Prediction requests refused or failed, by model and HTTP status.", "model", "status");
        _latency = factory.CreateHistogram("mlpipeline_predict_duration_seconds", "Time from request body read to answer written, by model and version.",
            new HistogramConfiguration
            {
                LabelNames = ["model", "version"],
                Buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
            });
        _loads = factory.CreateCounter("mlpipeline_model_loads_total", "Model versions loaded and swapped in.", "model");
        _loadFailures = factory.CreateCounter("mlpipeline_model_load_failures_total", "Model loads that failed (the previous version keeps serving).", "model");
        _served = factory.CreateGauge("mlpipeline_model_served", "1 for the version each model serves now.", "model", "version");
    }

    public CollectorRegistry Registry { get; }

    public void Predicted(string model, string version, string protocol, int rows, TimeSpan elapsed)
    {
        _requests.WithLabels(model, version, protocol).Inc();
        _predictions.WithLabels(model, version).Inc(rows);
        _latency.WithLabels(model, version).Observe(elapsed.TotalSeconds);
    }

    public void Failed(string model, int status) => _errors.WithLabels(model, status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();

    public void Loaded(string model, string? previousVersion, string version)
    {
        _loads.WithLabels(model).Inc();
        if (previousVersion is not null && previousVersion != version)
        {
            _served.RemoveLabelled(model, previousVersion);
        }

        _served.WithLabels(model, version).Set(1);
    }

    public void LoadFailed(string model) => _loadFailures.WithLabels(model).Inc();
}
