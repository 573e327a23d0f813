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
    /// <param name="raw">The stored rows (a counting view in a run, to meter long steps).</param>
    public static PreparedData Create(MLContext ml, TrainingSpec spec, DataProfile profile, IDataView raw)
    {
        var label = LabelPreparation.Create(ml, spec, profile);
        var prepared = label.Estimator.Fit(raw).Transform(raw);
        if (spec.TestFraction <= 0)
        {
            return new PreparedData(profile, raw, prepared, prepared, profile.Rows, label.Classes, label.PositiveClass);
        }

        var split = ml.Data.TrainTestSplit(prepared, spec.TestFraction, seed: spec.Seed);
        return new PreparedData(profile, raw, split.TrainSet, split.TestSet, (long)(profile.Rows * (1 - spec.TestFraction)), label.Classes, label.PositiveClass);
    }
}
