using Microsoft.ML;
using Microsoft.ML.Transforms;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Evaluation;

namespace MLPipeline.Training.Runs;

/// <summary>
/// Scores the champion on the challenger's test rows with the challenger's evaluator. A champion that cannot
/// score these rows (other columns, other classes) is reported, not held against the challenger.
/// </summary>
public static class ChampionCheck
{
    public static ChampionComparison Compare(MLContext ml, ModelTask task, ChampionModel champion, IDataView test, IReadOnlyList<string>? classes, double challenger, string metric, double tolerance)
    {
        ChampionComparison Result(double? value, bool passed, string? note) =>
            new(champion.Alias, champion.Manifest.Version, metric, value, challenger, tolerance, passed, note);

        if (champion.Manifest.Task != task)
        {
            return Result(null, true, $"the champion is a {champion.Manifest.Task} model; not comparable");
        }

        if (classes is not null && !(champion.Manifest.Label.Classes ?? []).SequenceEqual(classes))
        {
            return Result(null, true, "the champion was trained on other classes; not comparable");
        }

        double value;
        try
        {
            using var stream = new MemoryStream(champion.ModelZip);
            var model = WithoutClassNames(ml.Model.Load(stream, out _));
            value = ModelEvaluator.Evaluate(ml, task, model.Transform(test), classes).Metrics[metric];
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
        {
            return Result(null, true, $"the champion cannot score this data ({ex.Message}); not comparable");
        }

        var passed = MetricNames.LowerIsBetter(metric) ? challenger <= value + tolerance : challenger >= value - tolerance;
        return Result(value, passed, null);
    }

    /// <summary>Multiclass models end by mapping the predicted key to its class name; the evaluator needs the key.</summary>
    private static ITransformer WithoutClassNames(ITransformer model)
    {
        if (model is not IEnumerable<ITransformer> chain)
        {
            return model;
        }

        var steps = chain.ToList();
        return steps.Count > 0 && steps[^1] is KeyToValueMappingTransformer
            ? new Microsoft.ML.Data.TransformerChain<ITransformer>(steps.Take(steps.Count - 1).ToArray())
            : model;
    }
}
