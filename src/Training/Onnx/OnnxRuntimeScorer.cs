using Microsoft.ML.OnnxRuntime;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Training.Onnx;

/// <summary>Scores raw rows with ONNX Runtime through the graph contract (one [N, 1] tensor per column).</summary>
internal sealed class OnnxRuntimeScorer : IDisposable
{
    private readonly InferenceSession _session;
    private readonly ModelTask _task;
    private readonly string[] _outputs;

    public OnnxRuntimeScorer(byte[] onnx, ModelTask task)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        _session = new InferenceSession(onnx, options);
        _task = task;
        _outputs = task switch
        {
            ModelTask.Regression => [PredictorMapper.Score],
            ModelTask.Binary => [PredictorMapper.Score, PredictorMapper.Probability, PredictorMapper.Label],
            _ => [PredictorMapper.Scores, PredictorMapper.Label],
        };
    }

    /// <summary>Scores the rows in batches of <paramref name="batchSize"/> (the last one may be smaller).</summary>
    public ModelPredictions Score(RawRows rows, int batchSize)
    {
        var scores = new List<float>();
        var probabilities = new List<float>();
        var labels = new List<string>();
        for (var start = 0; start < rows.Count; start += batchSize)
        {
            var batch = rows.Slice(start, Math.Min(batchSize, rows.Count - start));
            var inputs = Inputs(batch);
            try
            {
                // Held (and disposed) past the call: an options object only passed in may be finalized while the native
                // run still reads it, which crashed the process now and then inside ONNX Runtime's config lookup.
                using var runOptions = new RunOptions();
                using var results = _session.Run(runOptions, batch.Columns.Select(c => c.Name).ToArray(), inputs, _outputs);
                var values = results.ToList();
                scores.AddRange(values[0].GetTensorDataAsSpan<float>().ToArray());
                switch (_task)
                {
                    case ModelTask.Binary:
                        probabilities.AddRange(values[1].GetTensorDataAsSpan<float>().ToArray());
                        labels.AddRange(values[2].GetTensorDataAsSpan<bool>().ToArray().Select(b => b.ToString()));
                        break;
                    case ModelTask.Multiclass:
                        labels.AddRange(values[1].GetStringTensorAsArray());
                        break;
                }
            }
            finally
            {
                foreach (var input in inputs)
                {
                    input.Dispose();
                }
            }
        }

        return new ModelPredictions(scores.ToArray(), _task == ModelTask.Binary ? probabilities.ToArray() : null, labels.ToArray());
    }

    public void Dispose() => _session.Dispose();

    private static List<OrtValue> Inputs(RawRows batch)
    {
        var shape = new long[] { batch.Count, 1 };
        var values = new List<OrtValue>();
        foreach (var column in batch.Columns)
        {
            if (column.IsNumeric)
            {
                values.Add(OrtValue.CreateTensorValueFromMemory(batch.Numeric(column.Name), shape));
            }
            else
            {
                var text = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
                var strings = batch.Text(column.Name);
                for (var i = 0; i < strings.Length; i++)
                {
                    text.StringTensorSetElementAt(strings[i].AsSpan(), i);
                }

                values.Add(text);
            }
        }

        return values;
    }
}
