using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Training.Data;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Featurization;

/// <summary>
/// Fits <see cref="FeaturePipeline.BuildChain"/>'s transformers from one streaming pass over the rows instead
/// of one pass per trainable step: <see cref="FeatureStatistics"/> gathers the means, ranges and categories,
/// then each ML.NET estimator is fitted on a few summary rows that carry exactly those statistics. The result
/// is the same chain of ML.NET transformers (saved, exported to ONNX and scored as before); on a large CSV it
/// saves one parse of the file per imputation, normalization and one-hot step. Text columns still take their
/// own pass, since their n-gram dictionaries are not a summary.
/// </summary>
/// <param name="statisticsTimed">Told how long the statistics pass took, for the run's step timings.</param>
public sealed class OnePassFeaturizer(MLContext ml, IReadOnlyList<ColumnPlan> features, bool normalize, Action<TimeSpan>? statisticsTimed = null) : IEstimator<ITransformer>
{
    public ITransformer Fit(IDataView input)
    {
        var numeric = FeaturePipeline.NamesOf(features, ColumnKind.Numeric);
        var categorical = FeaturePipeline.NamesOf(features, ColumnKind.Categorical);
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        var statistics = FeatureStatistics.Collect(input, numeric, categorical);
        statisticsTimed?.Invoke(System.Diagnostics.Stopwatch.GetElapsedTime(start));
        var steps = new List<ITransformer>();

        if (numeric.Length > 0)
        {
            var means = Numbers(numeric, n => [statistics.Numeric[n].Mean]);
            var imputer = FeaturePipeline.Imputer(ml, numeric).Fit(means);
            var concat = FeaturePipeline.NumericConcat(ml, numeric).Fit(imputer.Transform(means));
            steps.AddRange([imputer, concat]);
            if (normalize)
            {
                // Imputed values lie within the range of the present ones, so the minimum and maximum rows,
                // imputed the same way, give the normalizer the range it would see on every row.
                var range = Numbers(numeric, n => [statistics.Numeric[n].Min, statistics.Numeric[n].Max]);
                steps.Add(FeaturePipeline.Normalizer(ml).Fit(concat.Transform(imputer.Transform(range))));
            }
        }

        if (categorical.Length > 0)
        {
            var rows = Math.Max(1, categorical.Max(c => statistics.Categories[c].Count));
            var categories = new SummaryDataView([], categorical.Select(c => (c, Padded(statistics.Categories[c], rows))).ToList());
            steps.Add(FeaturePipeline.OneHot(ml, categorical).Fit(categories));
        }

        foreach (var column in FeaturePipeline.NamesOf(features, ColumnKind.Text))
        {
            steps.Add(FeaturePipeline.Text(ml, column).Fit(input));
        }

        var featurized = new TransformerChain<ITransformer>([.. steps]).Transform(input);
        steps.Add(FeaturePipeline.FinalConcat(ml, features).Fit(featurized));
        return new TransformerChain<ITransformer>([.. steps]);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => FeaturePipeline.BuildChain(ml, features, normalize).GetOutputSchema(inputSchema);

    private static SummaryDataView Numbers(string[] columns, Func<string, float[]> values) =>
        new(columns.Select(c => (c, values(c))).ToList(), []);

    // Repeating a category adds nothing to the key mapping; it only evens out the columns' lengths.
    private static string[] Padded(IReadOnlyList<string> categories, int rows) =>
        Enumerable.Range(0, rows).Select(i => categories.Count == 0 ? "" : categories[Math.Min(i, categories.Count - 1)]).ToArray();
}
