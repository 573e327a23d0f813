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
    private ITransformer LabelTransform { get; init; } = null!;

    private TrainingSpec Spec { get; init; } = null!;

    /// <param name="raw">The stored rows (a counting view in a run, to meter long steps).</param>
    public static PreparedData Create(MLContext ml, TrainingSpec spec, DataProfile profile, IDataView raw)
    {
        var label = LabelPreparation.Create(ml, spec, profile);
        var labelTransform = label.Estimator.Fit(raw);
        var (train, test) = Split(ml, spec, labelTransform.Transform(raw));
        var trainRows = spec.TestFraction <= 0 ? profile.Rows : (long)(profile.Rows * (1 - spec.TestFraction));
        return new PreparedData(profile, raw, train, test, trainRows, label.Classes, label.PositiveClass) { LabelTransform = labelTransform, Spec = spec };
    }

    /// <summary>
    /// The same training split of another view of the same stored rows (the label prepared the same way, the same
    /// seeded split), made in another context: a pass beside the run's own reads it without moving the run's row
    /// counter or drawing from the random numbers the run's trainers draw from.
    /// </summary>
    public IDataView TrainSplitOf(MLContext ml, IDataView rows) => Split(ml, Spec, LabelTransform.Transform(rows)).Train;

    /// <summary>
    /// Without rows in a split ML.NET fails deep inside (a trainer's "0 instances", an evaluation of nothing), so a
    /// file too small for its test fraction is bad data. A split's first row is among the first few of the file, so
    /// finding one reads a few rows; only an empty split is read to the end.
    /// </summary>
    public void CheckSplitsHaveRows()
    {
        if (Spec.TestFraction <= 0)
        {
            return;
        }

        foreach (var (split, name) in new[] { (Train, "training"), (Test, "test") })
        {
            using var cursor = split.GetRowCursor([]);
            if (!cursor.MoveNext())
            {
                throw new DataException(
                    $"{Profile.Path}: the {name} split has no rows ({Profile.Rows} row(s) in all, testFraction {Spec.TestFraction.ToString(System.Globalization.CultureInfo.InvariantCulture)}, seed {Spec.Seed}); "
                    + "add rows, or set testFraction to 0 to measure the test metrics on the training rows.");
            }
        }
    }

    /// <summary>With no test fraction, the test metrics are measured on the training rows.</summary>
    private static (IDataView Train, IDataView Test) Split(MLContext ml, TrainingSpec spec, IDataView prepared)
    {
        if (spec.TestFraction <= 0)
        {
            return (prepared, prepared);
        }

        var split = ml.Data.TrainTestSplit(prepared, spec.TestFraction, seed: spec.Seed);
        return (split.TrainSet, split.TestSet);
    }
}
