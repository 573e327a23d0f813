using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Featurization;

namespace MLPipeline.Training.Evaluation;

/// <summary>Scores a split with ML.NET's evaluators and keeps the task's metrics.</summary>
public static class ModelEvaluator
{
    public static EvaluationResult Evaluate(MLContext ml, ModelTask task, IDataView scored, IReadOnlyList<string>? classes)
    {
        const string label = LabelPreparation.LabelColumn;
        switch (task)
        {
            case ModelTask.Regression:
                var r = ml.Regression.Evaluate(scored, label);
                return new EvaluationResult(new Dictionary<string, double>
                {
                    ["RSquared"] = r.RSquared,
                    ["RootMeanSquaredError"] = r.RootMeanSquaredError,
                    ["MeanAbsoluteError"] = r.MeanAbsoluteError,
                    ["MeanSquaredError"] = r.MeanSquaredError,
                });
            case ModelTask.Binary:
                var b = ml.BinaryClassification.Evaluate(scored, label);
                return new EvaluationResult(
                    new Dictionary<string, double>
                    {
                        ["AreaUnderRocCurve"] = b.AreaUnderRocCurve,
                        ["AreaUnderPrecisionRecallCurve"] = b.AreaUnderPrecisionRecallCurve,
                        ["Accuracy"] = b.Accuracy,
                        ["F1Score"] = b.F1Score,
                        ["LogLoss"] = b.LogLoss,
                        ["LogLossReduction"] = b.LogLossReduction,
                        ["PositivePrecision"] = b.PositivePrecision,
                        ["PositiveRecall"] = b.PositiveRecall,
                        ["NegativePrecision"] = b.NegativePrecision,
                        ["NegativeRecall"] = b.NegativeRecall,
                    },
                    Counts(b.ConfusionMatrix));
            default:
                var m = ml.MulticlassClassification.Evaluate(scored, label);
                var names = classes ?? Enumerable.Range(0, m.ConfusionMatrix.NumberOfClasses).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
                return new EvaluationResult(
                    new Dictionary<string, double>
                    {
                        ["MacroAccuracy"] = m.MacroAccuracy,
                        ["MicroAccuracy"] = m.MicroAccuracy,
                        ["LogLoss"] = m.LogLoss,
                        ["LogLossReduction"] = m.LogLossReduction,
                    },
                    Counts(m.ConfusionMatrix),
                    m.ConfusionMatrix.PerClassRecall.Select((recall, i) => (names[i], recall)).ToDictionary(x => x.Item1, x => x.recall));
        }
    }

    /// <summary>
    /// <see cref="Evaluate"/> on the test split, whose every metric must have a value. A metric the split cannot give
    /// (R-squared of labels that are all equal, AUC of one class, which ML.NET refuses outright: a split of one or a
    /// few rows) has no value a manifest can record or a gate can check: bad data, not a crash later.
    /// </summary>
    /// <param name="testRows">The rows the evaluation read (known once it has).</param>
    public static EvaluationResult EvaluateTestSplit(MLContext ml, ModelTask task, IDataView scored, IReadOnlyList<string>? classes, string path, Func<long> testRows)
    {
        const string advice = "it has too few or too alike rows to measure the model on: add rows, or change testFraction or seed.";
        EvaluationResult result;
        try
        {
            result = Evaluate(ml, task, scored, classes);
        }
        catch (ArgumentException ex)
        {
            throw new Data.DataException($"{path}: the test split ({testRows()} row(s)) cannot be measured ({ex.Message}); {advice}", ex);
        }

        foreach (var (metric, value) in result.Metrics.Where(m => !double.IsFinite(m.Value)))
        {
            throw new Data.DataException(
                $"{path}: the test split ({testRows()} row(s)) gives {metric} = {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}; {advice}");
        }

        return result;
    }

    /// <summary>The same for the winner's cross-validation: a fold too small or too alike to measure makes the mean NaN.</summary>
    public static void CheckMeasurable(IReadOnlyDictionary<string, MetricSummary>? crossValidation, string path, int folds)
    {
        foreach (var (metric, summary) in (crossValidation ?? new Dictionary<string, MetricSummary>()).Where(m => !double.IsFinite(m.Value.Mean) || !double.IsFinite(m.Value.StdDev)))
        {
            throw new Data.DataException(
                $"{path}: cross-validation in {folds} folds gives {metric} = {summary.Mean.ToString(System.Globalization.CultureInfo.InvariantCulture)}; "
                + "a fold has too few or too alike rows to measure the model on: add rows, or lower folds.");
        }
    }

    /// <summary>Mean and sample standard deviation of each metric over the folds.</summary>
    public static IReadOnlyDictionary<string, MetricSummary> Summarize(IReadOnlyList<EvaluationResult> folds) =>
        folds[0].Metrics.Keys.ToDictionary(k => k, k =>
        {
            var values = folds.Select(f => f.Metrics[k]).ToArray();
            var mean = values.Average();
            var std = values.Length > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1)) : 0;
            return new MetricSummary(mean, std);
        });

    private static List<IReadOnlyList<long>> Counts(ConfusionMatrix matrix) =>
        matrix.Counts.Select(row => (IReadOnlyList<long>)row.Select(c => (long)c).ToList()).ToList();
}
