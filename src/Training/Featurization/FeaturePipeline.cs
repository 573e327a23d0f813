using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLPipeline.Training.Data;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Featurization;

/// <summary>
/// The featurization every model gets, in a fixed, exportable order: numeric missing values replaced by the
/// column mean; categoricals one-hot encoded (missing is the empty category, unseen values encode as all zeros);
/// text featurized; numerics concatenated and, for linear trainers, min-max normalized; all concatenated.
/// </summary>
public static class FeaturePipeline
{
    public const string FeaturesColumn = "Features";
    public const string NumericColumn = "NumericFeatures";
    public const string CategoricalSuffix = ".OneHot";
    public const string TextSuffix = ".Text";

    public static IEstimator<ITransformer> Build(MLContext ml, IReadOnlyList<ColumnPlan> features, bool normalize)
    {
        var numeric = features.Where(c => c.Kind == ColumnKind.Numeric).Select(c => c.Name).ToArray();
        var categorical = features.Where(c => c.Kind == ColumnKind.Categorical).Select(c => c.Name).ToArray();
        var text = features.Where(c => c.Kind == ColumnKind.Text).Select(c => c.Name).ToArray();
        var parts = new List<string>();
        IEstimator<ITransformer> pipeline = new EstimatorChain<ITransformer>();

        if (numeric.Length > 0)
        {
            pipeline = pipeline
                .Append(ml.Transforms.ReplaceMissingValues(numeric.Select(n => new InputOutputColumnPair(n)).ToArray(), MissingValueReplacingEstimator.ReplacementMode.Mean))
                .Append(ml.Transforms.Concatenate(NumericColumn, numeric));
            if (normalize)
            {
                pipeline = pipeline.Append(ml.Transforms.NormalizeMinMax(NumericColumn));
            }

            parts.Add(NumericColumn);
        }

        if (categorical.Length > 0)
        {
            pipeline = pipeline.Append(ml.Transforms.Categorical.OneHotEncoding(
                categorical.Select(c => new InputOutputColumnPair(c + CategoricalSuffix, c)).ToArray(),
                OneHotEncodingEstimator.OutputKind.Indicator));
            parts.AddRange(categorical.Select(c => c + CategoricalSuffix));
        }

        foreach (var column in text)
        {
            pipeline = pipeline.Append(ml.Transforms.Text.FeaturizeText(column + TextSuffix, column));
            parts.Add(column + TextSuffix);
        }

        return pipeline.Append(ml.Transforms.Concatenate(FeaturesColumn, parts.ToArray()));
    }
}
