using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using MLPipeline.Serving.Observability;
using MLPipeline.Serving.Options;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Monitoring;

/// <summary>
/// Monitoring's public seam: which models are monitored (<see cref="For"/>, on the request path), and the live
/// figures per (model, version) that the monitoring route, the metrics and other parts of the service (a rollout
/// deciding between two versions) read: <see cref="Quality"/> and <see cref="Drift"/>.
/// </summary>
public sealed class MonitoringRegistry
{
    private readonly ConcurrentDictionary<string, ModelMonitor?> _monitors = new(StringComparer.Ordinal);
    private readonly Func<string, ModelMonitor?> _createMonitor;
    private readonly ConcurrentDictionary<(string Model, string Version), VersionMonitor> _versions = new();
    private readonly ConcurrentDictionary<string, long> _unknownFeedback = new(StringComparer.Ordinal);
    private readonly Channel<ObservedPrediction> _queue;
    private readonly ServingMetrics _metrics;

    public MonitoringRegistry(IOptions<ServingOptions> options, ServingMetrics metrics)
    {
        Options = options.Value.Monitoring;
        _metrics = metrics;
        IsActive = Options.DefaultLogPercent > 0 || Options.Models.Values.Any(m => m.LogPercent > 0);
        _queue = Channel.CreateBounded<ObservedPrediction>(new BoundedChannelOptions(Options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails at once instead of dropping silently.
            SingleReader = true,
        });
        Budget = new LogMemoryBudget(Options.QueueBytes);
        _createMonitor = model => Options.LogPercentOf(model) is > 0 and var percent ? new ModelMonitor(model, percent, TryEnqueue, Dropped) : null;
    }

    /// <summary>The bytes of monitored rows held between the request path and the store.</summary>
    public LogMemoryBudget Budget { get; }

    public MonitoringOptions Options { get; }

    /// <summary>False when no model is monitored: the request path then skips monitoring with one field read.</summary>
    public bool IsActive { get; }

    internal ChannelReader<ObservedPrediction> Queue => _queue.Reader;

    internal void CompleteQueue() => _queue.Writer.TryComplete();

    /// <summary>Queues a row if it fits the queue and the memory budget; the log gives its bytes back once it has gathered it.</summary>
    private bool TryEnqueue(ObservedPrediction prediction)
    {
        if (!Budget.TryTake(prediction.Bytes))
        {
            return false;
        }

        if (_queue.Writer.TryWrite(prediction))
        {
            return true;
        }

        Budget.Give(prediction.Bytes);
        return false;
    }

    /// <summary>The model's monitor, or null when the model is not monitored.</summary>
    public ModelMonitor? For(string model) => _monitors.GetOrAdd(model, _createMonitor);

    /// <summary>The monitoring state of a version, made on its first monitored row.</summary>
    public VersionMonitor VersionOf(string model, ModelManifest manifest) =>
        _versions.GetOrAdd((model, manifest.Version), key => new VersionMonitor(key.Model, manifest, Options));

    /// <summary>The monitored versions of a model on this replica, oldest first.</summary>
    public IReadOnlyList<VersionMonitor> Versions(string model) =>
        [.. _versions.Where(v => v.Key.Model == model).Select(v => v.Value).OrderBy(v => v.Manifest.CreatedUtc)];

    public IReadOnlyList<VersionMonitor> AllVersions => [.. _versions.Values];

    /// <summary>Live quality of a version (joined feedback over a sliding window), or null when it has no monitoring state.</summary>
    public LiveQualityFigures? Quality(string model, string version) =>
        _versions.TryGetValue((model, version), out var monitor) ? monitor.Quality.Figures() : null;

    /// <summary>Drift of a version against its training profile, or null when it has no monitoring state.</summary>
    public DriftFigures? Drift(string model, string version) =>
        _versions.TryGetValue((model, version), out var monitor) ? monitor.Drift.Figures() : null;

    /// <summary>Feedback for ids that no version of the model knows (never monitored, expired, or already joined).</summary>
    public long UnknownFeedback(string model) => _unknownFeedback.GetValueOrDefault(model);

    internal void CountUnknownFeedback(string model) => _unknownFeedback.AddOrUpdate(model, 1, (_, n) => n + 1);

    internal void Dropped(string model, ModelManifest manifest, int rows)
    {
        _metrics.LogRowsDropped(model, rows);
        VersionOf(model, manifest).CountDropped(rows);
    }
}
