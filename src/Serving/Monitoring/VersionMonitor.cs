using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Monitoring;

namespace MLPipeline.Serving.Monitoring;

/// <summary>
/// Monitoring state of one served version on this replica: predictions waiting for feedback, the live quality window,
/// the drift window, and what happened to its log rows and feedback.
/// </summary>
public sealed class VersionMonitor
{
    private long _logged;
    private long _written;
    private long _dropped;
    private long _joined;
    private long _invalid;

    public VersionMonitor(string model, ModelManifest manifest, MonitoringOptions options)
    {
        Model = model;
        Manifest = manifest;
        Classes = ModelGeneration.ClassesOf(manifest);
        Joins = new JoinWindow(options.JoinWindowRows, options.JoinWindowAge);
        Quality = new QualityWindow(manifest.Task, Classes, options.QualityWindowRows);
        Drift = new DriftWindow(manifest, options.DriftWindowRows, options.DriftMinimumRows, options.DriftThreshold);
    }

    public string Model { get; }

    public string Version => Manifest.Version;

    public ModelManifest Manifest { get; }

    public IReadOnlyList<string> Classes { get; }

    public JoinWindow Joins { get; }

    public QualityWindow Quality { get; }

    public DriftWindow Drift { get; }

    /// <summary>Rows monitored (sampled) so far.</summary>
    public long Logged => Interlocked.Read(ref _logged);

    /// <summary>Rows written to the store.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Rows not written: the queue was full, the store too slow, or a write failed.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public long FeedbackJoined => Interlocked.Read(ref _joined);

    public long FeedbackInvalid => Interlocked.Read(ref _invalid);

    internal void Observed(ObservedPrediction prediction)
    {
        Interlocked.Increment(ref _logged);
        Joins.Add(prediction.Id, prediction.Output, prediction.Time);
        Drift.Add(prediction);
    }

    internal void CountWritten(int rows) => Interlocked.Add(ref _written, rows);

    internal void CountDropped(int rows) => Interlocked.Add(ref _dropped, rows);

    internal void CountJoined() => Interlocked.Increment(ref _joined);

    internal void CountInvalid() => Interlocked.Increment(ref _invalid);
}
