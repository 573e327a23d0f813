using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Featurization;

namespace MLPipeline.Training.Onnx;

/// <summary>
/// Scores the same raw rows with ML.NET and with ONNX Runtime (in batches larger than one row) and demands
/// identical predicted labels and scores / probabilities within max(1e-5 absolute, 1e-5 relative), or for a linear
/// model within the float rounding its sum allows for the row, where that is larger (<see cref="LinearRoundingAllowance"/>).
/// </summary>
internal static class OnnxParityChecker
{
    public const double Tolerance = 1e-5;
    public const int BatchSize = 64;
    public const int MaxTimedBatchSize = 1024;

    // Floats one dense tensor of a timed batch may hold: 4M, 16 MB.
    private const int TimedBatchFloats = 1 << 22;

    /// <param name="timedRows">The first rows (the test split) are also timed: ONNX Runtime in batches of <see cref="TimedBatchSize"/> vs one ML.NET pass.</param>
    public static ParityReport Check(ITransformer model, byte[] onnx, RawRows rows, int timedRows, ModelTask task)
    {
        using var runtime = new OnnxRuntimeScorer(onnx, task);
        var expected = MLNetScorer.Score(model, rows, task);
        var actual = runtime.Score(rows, BatchSize);
        var rounding = LinearRoundingAllowance.Of(model, rows);

        var problems = new List<string>();
        var outputs = new List<(string Name, float[] Expected, float[] Actual)> { (task == ModelTask.Multiclass ? "scores" : "score", expected.Scores, actual.Scores) };
        if (expected.Probabilities is not null)
        {
            outputs.Add(("probability", expected.Probabilities, actual.Probabilities!));
        }

        double maxAbsolute = 0, maxRelative = 0;
        var width = expected.Scores.Length / Math.Max(1, rows.Count);
        foreach (var (name, want, got) in outputs)
        {
            var perRow = name == "probability" ? 1 : width;
            if (want.Length != got.Length)
            {
                throw new OnnxParityException($"ONNX output '{name}' has {got.Length} values, ML.NET's has {want.Length}.");
            }

            for (var i = 0; i < want.Length; i++)
            {
                if (float.IsNaN(want[i]) && float.IsNaN(got[i]))
                {
                    continue;
                }

                var row = i / perRow;
                var allowed = Math.Max(Tolerance, Tolerance * Math.Abs((double)want[i]));
                if (rounding is not null)
                {
                    allowed = Math.Max(allowed, name == "probability" ? rounding.Probability(row) : rounding.Score(row));
                }

                var absolute = Math.Abs((double)want[i] - got[i]);
                var relative = absolute / Math.Max(Math.Abs((double)want[i]), double.Epsilon);
                maxAbsolute = Math.Max(maxAbsolute, double.IsNaN(absolute) ? double.PositiveInfinity : absolute);
                maxRelative = Math.Max(maxRelative, double.IsNaN(relative) ? double.PositiveInfinity : relative);
                if (!(absolute <= allowed) && problems.Count < 5)
                {
                    problems.Add($"row {row + 1} {name}: ML.NET {want[i]:R}, ONNX {got[i]:R}");
                }
            }
        }

        for (var i = 0; i < expected.Labels.Length && problems.Count < 10; i++)
        {
            if (!string.Equals(expected.Labels[i], actual.Labels.ElementAtOrDefault(i), StringComparison.Ordinal)
                && !(rounding is not null && i < actual.Labels.Length
                    && rounding.LabelsMayDiffer(i, expected.Scores.AsSpan(i * width, width), actual.Scores.AsSpan(i * width, width))))
            {
                problems.Add($"row {i + 1} label: ML.NET '{expected.Labels[i]}', ONNX '{actual.Labels.ElementAtOrDefault(i)}'");
            }
        }

        if (problems.Count > 0)
        {
            throw new OnnxParityException($"ONNX Runtime disagrees with ML.NET on {rows.Count} parity rows (tolerance max({Tolerance} abs, {Tolerance} rel{(rounding is null ? "" : ", the linear sum's float rounding")})): {string.Join("; ", problems)}.");
        }

        var timedBatch = TimedBatchSize(model);
        var (onnxMs, mlnetMs) = Time(model, runtime, rows.Slice(0, Math.Min(timedRows, rows.Count)), timedBatch, task);
        return new ParityReport(maxAbsolute, maxRelative, rows.Count, BatchSize, Math.Min(timedRows, rows.Count), timedBatch, onnxMs, mlnetMs);
    }

    /// <summary>
    /// Rows per ONNX Runtime call in the timing: up to <see cref="MaxTimedBatchSize"/>, fewer for a wide model, so that
    /// no dense tensor of the graph passes 4M floats. ONNX's one-hot output is dense: the whole test split as one batch,
    /// 20,000 rows of a 5,000-category column, took the run to 1.7 GB.
    /// </summary>
    internal static int TimedBatchSize(ITransformer model)
    {
        var features = TransformerChains.Predictor(model)?.FeatureColumnType;
        var width = features is VectorDataViewType { Size: > 0 } vector ? vector.Size : 1;
        return Math.Clamp(TimedBatchFloats / width, BatchSize, MaxTimedBatchSize);
    }

    /// <summary>Best of three warm runs each: ONNX Runtime scores the rows in batches, ML.NET in one pass.</summary>
    private static (double Onnx, double MLNet) Time(ITransformer model, OnnxRuntimeScorer runtime, RawRows rows, int batchSize, ModelTask task)
    {
        if (rows.Count == 0)
        {
            return (0, 0);
        }

        double onnx = double.MaxValue, mlnet = double.MaxValue;
        for (var run = 0; run < 4; run++)
        {
            // Each run starts from a collected heap, as benchmark harnesses do: no run pays for the one before's garbage,
            // and the step holds one run's garbage, not four (the GC's budget on a large cache is tens of MB).
            GC.Collect();
            var clock = Stopwatch.StartNew();
            runtime.Score(rows, batchSize);
            var onnxElapsed = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            MLNetScorer.Score(model, rows, task);
            var mlnetElapsed = clock.Elapsed.TotalMilliseconds;
            if (run > 0)
            {
                onnx = Math.Min(onnx, onnxElapsed);
                mlnet = Math.Min(mlnet, mlnetElapsed);
            }
        }

        return (onnx, mlnet);
    }
}
