using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLPipeline.Serving.Dynamic;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Onnx;

/// <summary>
/// A version's model.onnx in ONNX Runtime, scoring a whole <see cref="RowBatch"/> in one call through the graph
/// contract of docs/onnx.md: one [N, 1] input per raw column (numbers read in place, text copied in), outputs score,
/// probability and label, or scores and label. One session per version, shared by every request (ONNX Runtime's Run
/// is thread-safe); each call runs on the request's own thread, never on a pool of ONNX Runtime's.
/// </summary>
public sealed class OnnxBatchScorer : IDisposable
{
    private const string Score = "score";
    private const string Scores = "scores";
    private const string Probability = "probability";
    private const string Label = "label";

    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly InputBinding _binding;
    private readonly ModelTask _task;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    private OnnxBatchScorer(InferenceSession session, InputBinding binding, ModelTask task)
    {
        _session = session;
        _binding = binding;
        _task = task;
        _inputNames = [.. binding.Columns.Select(c => c.Name)];
        _outputNames = task switch
        {
            ModelTask.Regression => [Score],
            ModelTask.Binary => [Score, Probability, Label],
            _ => [Scores, Label],
        };
    }

    /// <summary>Loads model.onnx and checks its inputs and outputs against the manifest's columns and task.</summary>
    /// <exception cref="InvalidDataException">The graph does not follow the contract for this model.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime cannot load the file.</exception>
    public static OnnxBatchScorer Load(byte[] onnx, InputBinding binding, ModelTask task)
    {
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions
        {
            // Requests already run in parallel; a batch stays on its request's thread, and no idle thread spins.
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        var session = OnnxSessions.Create(onnx, options);
        try
        {
            var scorer = new OnnxBatchScorer(session, binding, task);
            scorer.CheckContract();
            return scorer;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Scores every row of <paramref name="rows"/> into <paramref name="outputs"/>.</summary>
    public void ScoreRows(RowBatch rows, BatchOutputs outputs, int classes)
    {
        var count = rows.Count;
        outputs.Reset(_task, count, classes);
        var shape = new long[] { count, 1 };
        var inputs = new OrtValue[_inputNames.Length];
        try
        {
            for (var c = 0; c < inputs.Length; c++)
            {
                if (_binding.Columns[c].IsText)
                {
                    var text = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
                    inputs[c] = text;
                    for (var r = 0; r < count; r++)
                    {
                        text.StringTensorSetElementAt(rows.Text(c, r).Span, r);
                    }
                }
                else
                {
                    inputs[c] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, rows.Numbers(c), shape);
                }
            }

            using var results = _session.Run(_run, _inputNames, inputs, _outputNames);
            Read(results, outputs, count);
        }
        finally
        {
            foreach (var input in inputs)
            {
                input?.Dispose();
            }
        }
    }

    public void Dispose()
    {
        _run.Dispose();
        _session.Dispose();
    }

    private void Read(IReadOnlyList<OrtValue> results, BatchOutputs outputs, int count)
    {
        switch (_task)
        {
            case ModelTask.Regression:
                results[0].GetTensorDataAsSpan<float>()[..count].CopyTo(outputs.Score);
                break;
            case ModelTask.Binary:
                results[0].GetTensorDataAsSpan<float>()[..count].CopyTo(outputs.Score);
                results[1].GetTensorDataAsSpan<float>()[..count].CopyTo(outputs.Probability);
                results[2].GetTensorDataAsSpan<bool>()[..count].CopyTo(outputs.Positive);
                break;
            default:
                var scores = results[0].GetTensorDataAsSpan<float>();
                for (var r = 0; r < count; r++)
                {
                    var destination = outputs.ScoresOf(r);
                    scores.Slice(r * destination.Length, destination.Length).CopyTo(destination);
                    outputs.Label[r] = results[1].GetStringElement(r).AsMemory();
                }

                break;
        }
    }

    private void CheckContract()
    {
        foreach (var column in _binding.Columns)
        {
            if (!_session.InputMetadata.TryGetValue(column.Name, out var input))
            {
                throw new InvalidDataException($"model.onnx has no input '{column.Name}'.");
            }

            var expected = column.IsText ? TensorElementType.String : TensorElementType.Float;
            if (input.ElementDataType != expected)
            {
                throw new InvalidDataException($"model.onnx input '{column.Name}' holds {input.ElementDataType}, not {expected}.");
            }
        }

        if (_session.InputMetadata.Count != _binding.Columns.Count)
        {
            throw new InvalidDataException($"model.onnx has {_session.InputMetadata.Count} inputs; the manifest names {_binding.Columns.Count}.");
        }

        foreach (var output in _outputNames)
        {
            if (!_session.OutputMetadata.ContainsKey(output))
            {
                throw new InvalidDataException($"model.onnx has no output '{output}' for a {_task.ToString().ToLowerInvariant()} model.");
            }
        }
    }
}
