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

    /// <summary>The featurization, fitted in one streaming pass (plus one per text column): see <see cref="OnePassFeaturizer"/>.</summary>
    public static IEstimator<ITransformer> Build(MLContext ml, IReadOnlyList<ColumnPlan> features, bool normalize, Action<TimeSpan>? statisticsTimed = null) =>
        new OnePassFeaturizer(ml, features, normalize, statisticsTimed);

    /// <summary>
    /// The same featurization as a plain ML.NET estimator chain, which reads the rows once per trainable step
    /// (imputation, normalization, one-hot). It gives the output schema and is what the one-pass fit must equal.
    /// </summary>
    public static IEstimator<ITransformer> BuildChain(MLContext ml, IReadOnlyList<ColumnPlan> features, bool normalize)
    {
        var numeric = NamesOf(features, ColumnKind.Numeric);
        var categorical = NamesOf(features, ColumnKind.Categorical);
        IEstimator<ITransformer> pipeline = new EstimatorChain<ITransformer>();

        if (numeric.Length > 0)
        {
            pipeline = pipeline.Append(Imputer(ml, numeric)).Append(NumericConcat(ml, numeric));
            if (normalize)
            {
                pipeline = pipeline.Append(Normalizer(ml));
            }
        }

        if (categorical.Length > 0)
        {
            pipeline = pipeline.Append(OneHot(ml, categorical));
        }

        foreach (var column in NamesOf(features, ColumnKind.Text))
        {
            pipeline = pipeline.Append(Text(ml, column));
        }

        return pipeline.Append(FinalConcat(ml, features));
    }

    internal static string[] NamesOf(IReadOnlyList<ColumnPlan> features, ColumnKind kind) =>
        features.Where(c => c.Kind == kind).Select(c => c.Name).ToArray();

    internal static IEstimator<ITransformer> Imputer(MLContext ml, string[] numeric) =>
        ml.Transforms.ReplaceMissingValues(numeric.Select(n => new InputOutputColumnPair(n)).ToArray(), MissingValueReplacingEstimator.ReplacementMode.Mean);

    internal static IEstimator<ITransformer> NumericConcat(MLContext ml, string[] numeric) => ml.Transforms.Concatenate(NumericColumn, numeric);

    internal static IEstimator<ITransformer> Normalizer(MLContext ml) => ml.Transforms.NormalizeMinMax(NumericColumn);

    internal static IEstimator<ITransformer> OneHot(MLContext ml, string[] categorical) =>
        ml.Transforms.Categorical.OneHotEncoding(
            categorical.Select(c => new InputOutputColumnPair(c + CategoricalSuffix, c)).ToArray(),
            OneHotEncodingEstimator.OutputKind.Indicator);

    internal static IEstimator<ITransformer> Text(MLContext ml, string column) => ml.Transforms.Text.FeaturizeText(column + TextSuffix, column);

    internal static IEstimator<ITransformer> FinalConcat(MLContext ml, IReadOnlyList<ColumnPlan> features) =>
        ml.Transforms.Concatenate(FeaturesColumn, Parts(features).Select(p => p.Part).ToArray());
}
