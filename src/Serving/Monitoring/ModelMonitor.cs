using MLPipeline.Serving.Dynamic;
using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Monitoring;

namespace MLPipeline.Serving.Monitoring;

/// <summary>
/// The request thread's side of monitoring for one model: decides whether a request is sampled, copies its rows
/// and hands them to the background without waiting. A full queue, or rows past the log's memory budget, drops the rows
/// (counted): a request never waits on the log.
/// </summary>
public sealed class ModelMonitor(string model, double percent, Func<ObservedPrediction, bool> enqueue, Action<string, ModelManifest, int> dropped)
{
    // What a row holds besides its texts, roughly: the record, its id, the input array, one boxed value or string
    // header per input.
    private const long RowBytes = 256;
    private const long ValueBytes = 32;

    public string Model { get; } = model;

    /// <summary>Share of requests monitored, 0-100.</summary>
    public double Percent { get; } = percent;

    public void Observe(string requestId, ModelGeneration generation, RowBatch rows, BatchOutputs outputs, TimeSpan latency)
    {
        if (Percent < 100 && Random.Shared.NextDouble() * 100 >= Percent)
        {
            return;
        }

        var time = DateTimeOffset.UtcNow;
        var columns = rows.Binding.Columns;
        for (var r = 0; r < rows.Count; r++)
        {
            var inputs = new object?[columns.Count];
            var bytes = RowBytes + (columns.Count * ValueBytes);
            for (var c = 0; c < columns.Count; c++)
            {
                if (columns[c].IsText)
                {
                    var text = rows.Text(c, r);
                    inputs[c] = text.IsEmpty ? null : text.ToString();
                    bytes += 2L * text.Length;
                }
                else
                {
                    var number = rows.Number(c, r);
                    inputs[c] = float.IsNaN(number) ? null : number;
                }
            }

            var output = outputs.Task switch
            {
                ModelTask.Regression => new PredictedValue(outputs.Score[r], float.NaN, null, null),
                ModelTask.Binary => new PredictedValue(outputs.Score[r], outputs.Probability[r], generation.ClassNames[outputs.Positive[r] ? 1 : 0].Value, null),
                _ => new PredictedValue(float.NaN, float.NaN, outputs.Label[r].ToString(), outputs.ScoresOf(r).ToArray()),
            };
            bytes += output.Scores is { } scores ? ValueBytes + (sizeof(float) * scores.Length) : 0;
            var observed = new ObservedPrediction(time, Model, generation, PredictionIds.OfRow(requestId, r, rows.Count), inputs, output, latency.TotalMilliseconds, bytes);
            if (!enqueue(observed))
            {
                dropped(Model, generation.Manifest, 1);
            }
        }
    }
}
