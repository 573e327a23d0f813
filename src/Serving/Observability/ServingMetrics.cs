using System.Collections.Concurrent;
using Prometheus;

namespace MLPipeline.Serving.Observability;

/// <summary>
/// The service's Prometheus metrics, in a registry of its own (one per app instance, so parallel test hosts do not
/// share counters). Unknown model names are counted under one label value to keep cardinality bounded.
/// </summary>
/// <remarks>
/// A prediction records three series of one (model, version, protocol). Their labelled children are looked up once
/// and kept, so a request costs one dictionary lookup and three atomic updates, not three label lookups with their
/// label arrays. Exemplars are off: this service never exposes OpenMetrics, and capturing one read the trace context
/// and a clock on every request (tests/Benchmarks/RESULTS.md).
/// </remarks>
public sealed class ServingMetrics
{
    public const string UnknownModel = "(unknown)";

    private readonly ConcurrentDictionary<(string Model, string Version, string Protocol), PredictionSeries> _series = new();
    private readonly Func<(string Model, string Version, string Protocol), PredictionSeries> _createSeries;

    private readonly Counter _requests;
    private readonly Counter _errors;
    private readonly Histogram _latency;
    private readonly Counter _loads;
    private readonly Counter _loadFailures;
    private readonly Gauge _served;
    private readonly Counter _predictions;
    private readonly Counter _logDropped;
    private readonly Gauge _liveQuality;
    private readonly Gauge _featurePsi;
    private readonly Gauge _rolloutWeight;
    private readonly Counter _shadowDropped;

    public ServingMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        factory.ExemplarBehavior = ExemplarBehavior.NoExemplars();
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
        _logDropped = factory.CreateCounter("mlpipeline_prediction_log_dropped_total", "Monitored prediction rows not written to the prediction log (queue full, store behind or failing), by model.", "model");
        _liveQuality = factory.CreateGauge("mlpipeline_live_quality", "Live quality over the joined feedback window, by model, version and metric (Serving:Monitoring).", "model", "version", "metric");
        _featurePsi = factory.CreateGauge("mlpipeline_feature_psi", "Population stability index of an input column (or the score, feature=\"(score)\") over the drift window against the training profile.", "model", "version", "feature");
        _rolloutWeight = factory.CreateGauge("mlpipeline_rollout_weight", "Percent of a model's requests its rollout's candidate answers (canary) or scores a copy of (shadow) on this replica; 0 when no rollout routes.", "model");
        _shadowDropped = factory.CreateCounter("mlpipeline_rollout_shadow_dropped_total", "Shadow copies not scored because the shadow queue was full (Serving:Rollout:ShadowQueueCapacity), by model.", "model");
        _createSeries = key => new PredictionSeries(
            _requests.WithLabels(key.Model, key.Version, key.Protocol),
            _predictions.WithLabels(key.Model, key.Version),
            _latency.WithLabels(key.Model, key.Version));
    }

    public CollectorRegistry Registry { get; }

    public void Predicted(string model, string version, string protocol, int rows, TimeSpan elapsed)
    {
        var series = _series.GetOrAdd((model, version, protocol), _createSeries);
        series.Requests.Inc();
        series.Predictions.Inc(rows);
        series.Latency.Observe(elapsed.TotalSeconds);
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

    public void LogRowsDropped(string model, int rows) => _logDropped.WithLabels(model).Inc(rows);

    public void RolloutRouted(string model, int weight) => _rolloutWeight.WithLabels(model).Set(weight);

    public void ShadowDropped(string model) => _shadowDropped.WithLabels(model).Inc();

    /// <summary>Sets the live quality and drift gauges of a version (called just before each scrape).</summary>
    public void Monitored(string model, string version, IReadOnlyDictionary<string, double> quality, IReadOnlyDictionary<string, double> psi)
    {
        foreach (var (metric, value) in quality)
        {
            _liveQuality.WithLabels(model, version, metric).Set(value);
        }

        foreach (var (feature, value) in psi)
        {
            _featurePsi.WithLabels(model, version, feature).Set(value);
        }
    }

    private sealed record PredictionSeries(Counter.Child Requests, Counter.Child Predictions, Histogram.Child Latency);
}
