using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Featurization;

namespace MLPipeline.Training.Reports;

/// <summary>The test split's labels and predictions as arrays, for plots. Multiclass classes are 0-based indexes into the manifest's classes.</summary>
public sealed record TestPredictions(
    ModelTask Task,
    double[] Actual,
    double[] Predicted,
    bool[] Positive,
    double[] Probability,
    int[] ActualClass,
    int[] PredictedClass)
{
    /// <summary>Plots show at most this many test rows: enough for every curve, bounded for any data size.</summary>
    public const int MaxRows = 20_000;

    public static TestPredictions From(ModelTask task, IDataView scored)
    {
        const string label = LabelPreparation.LabelColumn;
        return task switch
        {
            ModelTask.Regression => new TestPredictions(task,
                scored.GetColumn<float>(label).Select(v => (double)v).ToArray(),
                scored.GetColumn<float>("Score").Select(v => (double)v).ToArray(), [], [], [], []),
            ModelTask.Binary => new TestPredictions(task, [],
                scored.GetColumn<float>("Score").Select(v => (double)v).ToArray(),
                scored.GetColumn<bool>(label).ToArray(),
                scored.GetColumn<float>("Probability").Select(v => (double)v).ToArray(), [], []),
            _ => new TestPredictions(task, [], [], [], [], [],
                scored.GetColumn<uint>("PredictedLabel").Select(k => (int)k - 1).ToArray()) with
            {
                ActualClass = scored.GetColumn<uint>(label).Select(k => (int)k - 1).ToArray(),
            },
        };
    }
}
