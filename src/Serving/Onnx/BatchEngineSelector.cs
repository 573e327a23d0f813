using System.Diagnostics;
using System.Globalization;
using MLPipeline.Serving.Dynamic;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Onnx;

/// <summary>
/// Decides, when a version loads, whether ONNX Runtime scores its batches. Only a model.onnx the manifest records as
/// exported and parity-checked by training is tried; it must then give the same answers as ML.NET here too (labels
/// equal, scores within the training parity tolerance) on rows derived from the manifest's sample. With
/// <see cref="BatchEngineChoice.Auto"/> both engines are timed on 1 and 100 of those rows, and ONNX Runtime answers from
/// the batch size where its line crosses ML.NET's; it is not used when it is never faster. The timing happens while the
/// load's code is still young (the JIT has not optimized it fully), which favours native ONNX Runtime slightly at small
/// sizes; Serving:BatchEngine pins the choice when that matters.
/// </summary>
internal static class BatchEngineSelector
{
    /// <summary>Rows of the parity and timing batch.</summary>
    public const int SampleRows = 100;

    private const int WarmUpRounds = 20;
    private const int TimingRounds = 9;

    public static (OnnxBatchScorer? Scorer, EngineChoice Choice) Select(ModelGeneration generation, byte[]? onnx, string? onnxProblem, BatchEngineChoice setting, int maxBatch)
    {
        var manifest = generation.Manifest;
        if (setting == BatchEngineChoice.MLNet)
        {
            return (null, EngineChoice.MLNetOnly("Serving:BatchEngine is MLNet."));
        }

        if (manifest.Onnx is not { Exported: true, MaxAbsoluteDifference: not null } facts)
        {
            var why = manifest.Onnx is { Exported: false, Reason: { } reason } ? $" ({reason})" : "";
            return (null, EngineChoice.MLNetOnly($"The version has no parity-checked model.onnx{why}."));
        }

        if (onnx is null)
        {
            return (null, EngineChoice.MLNetOnly(onnxProblem ?? "The source holds no model.onnx beside model.zip."));
        }

        OnnxBatchScorer scorer;
        try
        {
            scorer = OnnxBatchScorer.Load(onnx, generation.Binding, manifest.Task);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return (null, EngineChoice.MLNetOnly($"ONNX Runtime cannot serve model.onnx: {ex.Message}"));
        }

        var engine = generation.RentDynamic();
        try
        {
            FillSample(engine.Rows, generation);
            var classes = generation.ClassNames.Length;
            var mlnet = new BatchOutputs();
            engine.PredictRows(engine.Rows, mlnet, classes);
            var ort = new BatchOutputs();
            scorer.ScoreRows(engine.Rows, ort, classes);
            if (Disagreement(mlnet, ort) is { } disagreement)
            {
                scorer.Dispose();
                return (null, EngineChoice.MLNetOnly($"ONNX Runtime disagrees with ML.NET on this version ({disagreement}); training measured a largest difference of {facts.MaxAbsoluteDifference.Value.ToString("G3", CultureInfo.InvariantCulture)}."));
            }

            if (setting == BatchEngineChoice.OnnxRuntime)
            {
                return (scorer, new EngineChoice(EngineChoice.MLNet, EngineChoice.OnnxRuntime, 2, "Serving:BatchEngine is OnnxRuntime; its answers matched ML.NET's on the sample rows."));
            }

            var (fromRows, reason) = Measure(engine, scorer, classes, maxBatch);
            if (fromRows is null)
            {
                scorer.Dispose();
                return (null, EngineChoice.MLNetOnly(reason));
            }

            var single = fromRows == 1 ? EngineChoice.OnnxRuntime : EngineChoice.MLNet;
            return (scorer, new EngineChoice(single, EngineChoice.OnnxRuntime, fromRows, reason));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            scorer.Dispose();
            return (null, EngineChoice.MLNetOnly($"ONNX Runtime could not score the sample rows: {ex.Message}"));
        }
        finally
        {
            engine.Rows.Clear();
            generation.ReturnDynamic(engine);
        }
    }

    /// <summary>
    /// Times both engines on 1 and on <see cref="SampleRows"/> rows (best of several interleaved rounds) and returns the
    /// smallest batch size from which ONNX Runtime's line is below ML.NET's, or null when it never is up to the limit.
    /// </summary>
    private static (int? FromRows, string Reason) Measure(DynamicPredictor engine, OnnxBatchScorer scorer, int classes, int maxBatch)
    {
        var rows = engine.Rows;
        var outputs = new BatchOutputs();
        var single = new RowBatch(rows.Binding);
        CopyFirstRow(rows, single);
        var best = new double[4];
        Array.Fill(best, double.MaxValue);

        // Untimed rounds first: the first calls of either engine pay for JIT compilation and first-use allocations.
        for (var round = 0; round < WarmUpRounds; round++)
        {
            engine.PredictRows(single, outputs, classes);
            scorer.ScoreRows(single, outputs, classes);
            engine.PredictRows(rows, outputs, classes);
            scorer.ScoreRows(rows, outputs, classes);
        }

        for (var round = 0; round < TimingRounds; round++)
        {
            best[0] = Math.Min(best[0], Time(() => engine.PredictRows(single, outputs, classes)));
            best[1] = Math.Min(best[1], Time(() => scorer.ScoreRows(single, outputs, classes)));
            best[2] = Math.Min(best[2], Time(() => engine.PredictRows(rows, outputs, classes)));
            best[3] = Math.Min(best[3], Time(() => scorer.ScoreRows(rows, outputs, classes)));
        }

        // t(n) = fixed + n * perRow for each engine, from its 1-row and 100-row times.
        var mlPerRow = (best[2] - best[0]) / (rows.Count - 1);
        var ortPerRow = (best[3] - best[1]) / (rows.Count - 1);
        int? fromRows = null;
        for (var n = 1; n <= Math.Max(maxBatch, 1); n++)
        {
            if (best[1] + ((n - 1) * ortPerRow) < best[0] + ((n - 1) * mlPerRow))
            {
                fromRows = n;
                break;
            }
        }

        var reason = string.Create(CultureInfo.InvariantCulture,
            $"Measured at load: {rows.Count} rows in {best[3]:F0} us with ONNX Runtime and {best[2]:F0} us with ML.NET; 1 row in {best[1]:F1} us and {best[0]:F1} us.");
        return (fromRows, fromRows is null ? reason + " ONNX Runtime is never faster up to Serving:Limits:MaxBatchSize." : reason);
    }

    private static double Time(Action score)
    {
        var started = Stopwatch.GetTimestamp();
        score();
        return Stopwatch.GetElapsedTime(started).TotalMicroseconds;
    }

    /// <summary>
    /// Rows around the manifest's sample: numbers scaled from half to one and a half times the sample's, every seventh
    /// number and every fifth text missing, and a first row with every value missing.
    /// </summary>
    private static void FillSample(RowBatch rows, ModelGeneration generation)
    {
        var columns = generation.Binding.Columns;
        rows.Resize(SampleRows);
        for (var r = 0; r < SampleRows; r++)
        {
            for (var c = 0; c < columns.Count; c++)
            {
                generation.Manifest.SampleInput.TryGetValue(columns[c].Name, out var raw);
                if (columns[c].IsText)
                {
                    rows.SetText(c, r, r == 0 || (r + c) % 5 == 0 ? "" : raw);
                }
                else
                {
                    var value = float.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : float.NaN;
                    rows.SetNumber(c, r, r == 0 || (r + c) % 7 == 0 ? float.NaN : value * (0.5f + (r / (float)SampleRows)));
                }
            }
        }
    }

    private static void CopyFirstRow(RowBatch from, RowBatch to)
    {
        to.Resize(1);
        for (var c = 0; c < from.Binding.Columns.Count; c++)
        {
            if (from.Binding.Columns[c].IsText)
            {
                to.SetText(c, 0, from.Text(c, 1).Span);
            }
            else
            {
                to.SetNumber(c, 0, from.Number(c, 1));
            }
        }
    }

    /// <summary>The first row where the engines differ (label, or a score beyond max(1e-5, 1e-5 x |ML.NET's|)), or null.</summary>
    private static string? Disagreement(BatchOutputs mlnet, BatchOutputs ort)
    {
        for (var r = 0; r < mlnet.Rows; r++)
        {
            switch (mlnet.Task)
            {
                case ModelTask.Regression:
                    if (!Close(mlnet.Score[r], ort.Score[r]))
                    {
                        return $"row {r}: score {mlnet.Score[r]} against {ort.Score[r]}";
                    }

                    break;
                case ModelTask.Binary:
                    if (mlnet.Positive[r] != ort.Positive[r] || !Close(mlnet.Score[r], ort.Score[r]) || !Close(mlnet.Probability[r], ort.Probability[r]))
                    {
                        return $"row {r}: label {mlnet.Positive[r]}, score {mlnet.Score[r]}, probability {mlnet.Probability[r]} against {ort.Positive[r]}, {ort.Score[r]}, {ort.Probability[r]}";
                    }

                    break;
                default:
                    if (!mlnet.Label[r].Span.SequenceEqual(ort.Label[r].Span))
                    {
                        return $"row {r}: label '{mlnet.Label[r]}' against '{ort.Label[r]}'";
                    }

                    var expected = mlnet.ScoresOf(r);
                    var actual = ort.ScoresOf(r);
                    for (var k = 0; k < expected.Length; k++)
                    {
                        if (!Close(expected[k], actual[k]))
                        {
                            return $"row {r}: score {k} {expected[k]} against {actual[k]}";
                        }
                    }

                    break;
            }
        }

        return null;
    }

    private static bool Close(float expected, float actual) =>
        (float.IsNaN(expected) && float.IsNaN(actual)) || Math.Abs(expected - actual) <= Math.Max(1e-5, 1e-5 * Math.Abs(expected));
}
