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

    /// <summary>
    /// The parts concatenated into <see cref="FeaturesColumn"/>, in order, each with the raw columns it comes
    /// from: lets a slot of the feature vector be traced back to its column (feature importance, export).
    /// </summary>
    public static IReadOnlyList<(string Part, IReadOnlyList<string> Columns)> Parts(IReadOnlyList<ColumnPlan> features)
    {
        var parts = new List<(string, IReadOnlyList<string>)>();
        var numeric = features.Where(c => c.Kind == ColumnKind.Numeric).Select(c => c.Name).ToList();
        if (numeric.Count > 0)
        {
            parts.Add((NumericColumn, numeric));
        }

        parts.AddRange(features.Where(c => c.Kind == ColumnKind.Categorical).Select(c => (c.Name + CategoricalSuffix, (IReadOnlyList<string>)[c.Name])));
        parts.AddRange(features.Where(c => c.Kind == ColumnKind.Text).Select(c => (c.Name + TextSuffix, (IReadOnlyList<string>)[c.Name])));
        return parts;
    }

    public static IEstimator<ITransformer> Build(MLContext ml, IReadOnlyList<ColumnPlan> features, bool normalize)
    {
        var numeric = features.Where(c => c.Kind == ColumnKind.Numeric).Select(c => c.Name).ToArray();
        var categorical = features.Where(c => c.Kind == ColumnKind.Categorical).Select(c => c.Name).ToArray();
        var text = features.Where(c => c.Kind == ColumnKind.Text).Select(c => c.Name).ToArray();
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
        }

        if (categorical.Length > 0)
        {
            pipeline = pipeline.Append(ml.Transforms.Categorical.OneHotEncoding(
                categorical.Select(c => new InputOutputColumnPair(c + CategoricalSuffix, c)).ToArray(),
                OneHotEncodingEstimator.OutputKind.Indicator));
        }

        foreach (var column in text)
        {
            pipeline = pipeline.Append(ml.Transforms.Text.FeaturizeText(column + TextSuffix, column));
        }

        return pipeline.Append(ml.Transforms.Concatenate(FeaturesColumn, Parts(features).Select(p => p.Part).ToArray()));
    }
}
