using Microsoft.ML;
using MLPipeline.Training.Data;
using MLPipeline.Training.Featurization;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Search;

/// <summary>
/// The stored rows with the label prepared and split into training and test rows, exactly as every run does it:
/// the coordinator and each worker build it from the same file and spec, so their trials see the same rows.
/// </summary>
public sealed record PreparedData(DataProfile Profile, IDataView Raw, IDataView Train, IDataView Test, long TrainRows, IReadOnlyList<string>? Classes, string? PositiveClass)
{
    private Func<MLContext, IDataView, IDataView> _trainSplitOf = (_, rows) => rows;

    /// <summary>
    /// The same training split of another view of the same stored rows (the label prepared the same way, the same
    /// seeded split), made in another context: a pass beside the run's own reads it without moving the run's row
    /// counter or drawing from the random numbers the run's trainers draw from.
    /// </summary>
    public IDataView TrainSplitOf(MLContext ml, IDataView rows) => _trainSplitOf(ml, rows);

    /// <param name="raw">The stored rows (a counting view in a run, to meter long steps).</param>
    public static PreparedData Create(MLContext ml, TrainingSpec spec, DataProfile profile, IDataView raw)
    {
        var label = LabelPreparation.Create(ml, spec, profile);
        var labelTransform = label.Estimator.Fit(raw);
        var prepared = labelTransform.Transform(raw);
        if (spec.TestFraction <= 0)
        {
            return new PreparedData(profile, raw, prepared, prepared, profile.Rows, label.Classes, label.PositiveClass)
            {
                _trainSplitOf = (_, rows) => labelTransform.Transform(rows),
            };
        }

        var split = ml.Data.TrainTestSplit(prepared, spec.TestFraction, seed: spec.Seed);
        return new PreparedData(profile, raw, split.TrainSet, split.TestSet, (long)(profile.Rows * (1 - spec.TestFraction)), label.Classes, label.PositiveClass)
        {
            _trainSplitOf = (other, rows) => other.Data.TrainTestSplit(labelTransform.Transform(rows), spec.TestFraction, seed: spec.Seed).TrainSet,
        };
    }
}
