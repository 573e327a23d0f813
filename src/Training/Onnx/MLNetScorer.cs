using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Training.Onnx;

/// <summary>Scores raw rows with the ML.NET model and reads Score, Probability and PredictedLabel.</summary>
internal static class MLNetScorer
{
    public static ModelPredictions Score(ITransformer model, RawRows rows, ModelTask task)
    {
        var scored = model.Transform(rows.ToDataView());
        var scoreColumn = scored.Schema["Score"];
        var probabilityColumn = task == ModelTask.Binary ? scored.Schema["Probability"] : (DataViewSchema.Column?)null;
        var labelColumn = task == ModelTask.Regression ? (DataViewSchema.Column?)null : scored.Schema["PredictedLabel"];
        var active = new[] { scoreColumn, probabilityColumn, labelColumn }.Where(c => c is not null).Select(c => c!.Value);
        using var cursor = scored.GetRowCursor(active);

        var scores = new List<float>();
        var probabilities = new List<float>();
        var labels = new List<string>();
        var getScore = task == ModelTask.Multiclass ? null : cursor.GetGetter<float>(scoreColumn);
        var getScores = task == ModelTask.Multiclass ? cursor.GetGetter<VBuffer<float>>(scoreColumn) : null;
        var getProbability = probabilityColumn is { } p ? cursor.GetGetter<float>(p) : null;
        var getBool = task == ModelTask.Binary ? cursor.GetGetter<bool>(labelColumn!.Value) : null;
        var getText = task == ModelTask.Multiclass ? cursor.GetGetter<ReadOnlyMemory<char>>(labelColumn!.Value) : null;
        var score = 0f;
        var vector = default(VBuffer<float>);
        var flag = false;
        var text = default(ReadOnlyMemory<char>);
        while (cursor.MoveNext())
        {
            if (getScore is not null)
            {
                getScore(ref score);
                scores.Add(score);
            }
            else
            {
                getScores!(ref vector);
                scores.AddRange(vector.DenseValues());
            }

            if (getProbability is not null)
            {
                getProbability(ref score);
                probabilities.Add(score);
            }

            if (getBool is not null)
            {
                getBool(ref flag);
                labels.Add(flag.ToString());
            }

            if (getText is not null)
            {
                getText(ref text);
                labels.Add(text.ToString());
            }
        }

        return new ModelPredictions(scores.ToArray(), task == ModelTask.Binary ? probabilities.ToArray() : null, labels.ToArray());
    }
}
