using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Data;
using MLPipeline.Training.Featurization;

namespace MLPipeline.Training.Reports;

/// <summary>
/// Permutation feature importance (ML.NET PFI) on the test split, summed from feature-vector slots back to the
/// raw columns they come from: how much the main metric drops when a column's values are shuffled.
/// </summary>
public static class FeatureImportance
{
    /// <summary>PFI permutes each slot separately; past this many slots (large text vocabularies) it is skipped.</summary>
    public const int MaxSlots = 400;
    private const int MaxRows = 2000;

    /// <returns>Column -> drop of the main metric (positive = the column matters), or null when skipped.</returns>
    public static IReadOnlyDictionary<string, double>? Compute(MLContext ml, ModelTask task, ITransformer scoring, IDataView test, IReadOnlyList<ColumnPlan> features)
    {
        var steps = TransformerChains.Flatten(scoring).ToList();
        var predictor = steps[^1];
        var featurized = new TransformerChain<ITransformer>(steps.Take(steps.Count - 1).ToArray()).Transform(test);
        var slotCount = VectorSize(featurized.Schema[FeaturePipeline.FeaturesColumn].Type);
        if (slotCount == 0 || slotCount > MaxSlots)
        {
            return null;
        }

        // PFI reads its rows once per slot: the rows it uses are featurized once and held in memory instead. A
        // context of its own builds that cache, so the run's random stream (PFI's permutations) is left as it was.
        var rows = new MLContext(seed: 0).Data;
        var perSlot = PermutationDrops(ml, task, predictor, rows.Cache(rows.TakeRows(featurized, MaxRows)));
        var importance = new Dictionary<string, double>();
        var slot = 0;
        foreach (var (part, columns) in FeaturePipeline.Parts(features))
        {
            var size = VectorSize(featurized.Schema[part].Type);
            for (var i = 0; i < size; i++, slot++)
            {
                var column = columns.Count == size ? columns[i] : columns[0];
                importance[column] = importance.GetValueOrDefault(column) + perSlot[slot];
            }
        }

        return importance.OrderByDescending(kv => kv.Value).ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    private static int VectorSize(DataViewType type) => type is VectorDataViewType vector ? vector.Size : 1;

    /// <summary>
    /// ML.NET's PFI is generic in the predictor's model type, which is known only at run time here; the
    /// metric change is negated so that a drop in quality is a positive importance.
    /// </summary>
    private static double[] PermutationDrops(MLContext ml, ModelTask task, ITransformer predictor, IDataView featurized)
    {
        var single = predictor.GetType().GetInterfaces()
            .First(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ISingleFeaturePredictionTransformer<>));
        var modelType = single.GetGenericArguments()[0];
        var (catalog, catalogType, metric) = task switch
        {
            ModelTask.Regression => ((object)ml.Regression, typeof(RegressionCatalog), "RSquared"),
            ModelTask.Binary => (ml.BinaryClassification, typeof(BinaryClassificationCatalog), "AreaUnderRocCurve"),
            _ => (ml.MulticlassClassification, typeof(MulticlassClassificationCatalog), "MacroAccuracy"),
        };
        var method = typeof(PermutationFeatureImportanceExtensions).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Single(m => m.Name == nameof(PermutationFeatureImportanceExtensions.PermutationFeatureImportance)
                && m.IsGenericMethodDefinition
                && m.GetParameters()[0].ParameterType == catalogType)
            .MakeGenericMethod(modelType);
        var arguments = method.GetParameters().Select(p => p.Name switch
        {
            "catalog" => catalog,
            "predictionTransformer" => predictor,
            "data" => featurized,
            "labelColumnName" => LabelPreparation.LabelColumn,
            "numberOfExamplesToUse" => MaxRows,
            _ => p.HasDefaultValue ? p.DefaultValue : null,
        }).ToArray();
        var statistics = (System.Collections.IEnumerable)method.Invoke(null, arguments)!;
        return statistics.Cast<object>().Select(s =>
        {
            var change = s.GetType().GetProperty(metric)!.GetValue(s)!;
            return -(double)change.GetType().GetProperty("Mean")!.GetValue(change)!;
        }).ToArray();
    }
}
