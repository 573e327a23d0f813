using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Monitoring;

namespace MLPipeline.Serving.Monitoring;

/// <summary>
/// The last joined rows of one version (a sliding window of fixed size) and the live quality figures over them, with
/// ML.NET's metric names and definitions: regression MAE, RMSE, R²; binary accuracy, AUC (from the score), log-loss
/// (base 2, from the probability); multiclass micro and macro accuracy.
/// </summary>
public sealed class QualityWindow(ModelTask task, IReadOnlyList<string> classes, int capacity)
{
    private readonly JoinedRow[] _rows = new JoinedRow[capacity];
    private readonly Lock _lock = new();
    private long _added;

    public void Add(JoinedRow row)
    {
        lock (_lock)
        {
            _rows[_added % _rows.Length] = row;
            _added++;
        }
    }

    public LiveQualityFigures Figures()
    {
        JoinedRow[] rows;
        long joined;
        lock (_lock)
        {
            joined = _added;
            rows = _rows[..(int)Math.Min(_added, _rows.Length)];
        }

        var metrics = rows.Length == 0 ? new Dictionary<string, double>()
            : task switch
            {
                ModelTask.Regression => QualityMetrics.Regression(rows),
                ModelTask.Binary => QualityMetrics.Binary(rows, classes),
                _ => QualityMetrics.Multiclass(rows, classes),
            };
        return new LiveQualityFigures(rows.Length, joined, _rows.Length, metrics);
    }
}

/// <summary>Live quality of one version: the metrics over the last <c>WindowRows</c> joined rows.</summary>
/// <param name="WindowRows">Joined rows the metrics are computed over.</param>
/// <param name="JoinedTotal">Rows joined since the version started serving on this replica.</param>
/// <param name="WindowCapacity">The window's size (<c>Serving:Monitoring:QualityWindowRows</c>).</param>
public sealed record LiveQualityFigures(int WindowRows, long JoinedTotal, int WindowCapacity, IReadOnlyDictionary<string, double> Metrics);
