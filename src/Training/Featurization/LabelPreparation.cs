using Microsoft.ML;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Data;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Featurization;

/// <summary>
/// Turns the raw label into what the task's trainers expect, outside the saved model (a served model never
/// sees a label): regression a float, binary a boolean (positive class = true), multiclass a key whose
/// values are the class names in ordinal order.
/// </summary>
public sealed record LabelPreparation(IEstimator<ITransformer> Estimator, IReadOnlyList<string>? Classes, string? PositiveClass)
{
    public const string LabelColumn = "Label";

    public static LabelPreparation Create(MLContext ml, TrainingSpec spec, DataProfile profile)
    {
        switch (spec.Task)
        {
            case ModelTask.Regression:
                return new LabelPreparation(ml.Transforms.CopyColumns(LabelColumn, spec.Label), null, null);
            case ModelTask.Binary:
                var positive = PositiveClassOf(spec, profile);
                var negative = profile.LabelClasses.Single(c => c != positive);
                var map = ml.Transforms.Conversion.MapValue(
                    LabelColumn,
                    new[] { new KeyValuePair<ReadOnlyMemory<char>, bool>(negative.AsMemory(), false), new(positive.AsMemory(), true) },
                    spec.Label);
                return new LabelPreparation(map, [negative, positive], positive);
            default:
                var key = ml.Transforms.Conversion.MapValueToKey(LabelColumn, spec.Label, keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue);
                return new LabelPreparation(key, profile.LabelClasses, null);
        }
    }

    private static string PositiveClassOf(TrainingSpec spec, DataProfile profile)
    {
        if (spec.PositiveClass is { } declared)
        {
            return profile.LabelClasses.Contains(declared)
                ? declared
                : throw new DataException($"{profile.Path}, column '{spec.Label}': positiveClass '{declared}' is not a label value (values: {string.Join(", ", profile.LabelClasses)}).");
        }

        foreach (var conventional in new[] { "true", "1", "yes", "True", "TRUE", "Yes", "YES", "positive" })
        {
            if (profile.LabelClasses.Contains(conventional))
            {
                return conventional;
            }
        }

        throw new SpecException($"{spec.SourcePath}: the label values of '{spec.Label}' are {string.Join(" and ", profile.LabelClasses)}; set \"positiveClass\" to say which one is positive.");
    }
}
