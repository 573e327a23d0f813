using System.Globalization;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Evaluation;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Gates;

/// <summary>
/// One gate from the spec: <c>"RSquared": "&gt;= 0.80"</c>. It is checked on the cross-validation mean when the
/// run cross-validates, else on the test split; <c>test:</c> or <c>cv:</c> before the metric chooses.
/// </summary>
public sealed record QualityGate(string Metric, GateSource Source, string Operator, double Threshold)
{
    public static IReadOnlyList<QualityGate> ParseAll(TrainingSpec spec)
    {
        var known = MetricNames.For(spec.Task);
        return spec.Gates.Select(g => Parse(g.Key, g.Value, known, spec)).ToList();
    }

    public (bool Passed, double Actual) Check(IReadOnlyDictionary<string, double> test, IReadOnlyDictionary<string, MetricSummary>? crossValidation)
    {
        var useCv = Source == GateSource.CrossValidation || (Source == GateSource.Default && crossValidation is not null);
        var actual = useCv && crossValidation is not null ? crossValidation[Metric].Mean : test[Metric];
        var passed = Operator switch
        {
            ">=" => actual >= Threshold,
            ">" => actual > Threshold,
            "<=" => actual <= Threshold,
            _ => actual < Threshold,
        };
        return (passed, actual);
    }

    public string Describe(bool usedCrossValidation) =>
        $"{(usedCrossValidation ? "cv" : "test")}:{Metric} {Operator} {Threshold.ToString(CultureInfo.InvariantCulture)}";

    private static QualityGate Parse(string key, string condition, IReadOnlyList<string> known, TrainingSpec spec)
    {
        var source = GateSource.Default;
        var metric = key;
        if (key.StartsWith("test:", StringComparison.OrdinalIgnoreCase))
        {
            (source, metric) = (GateSource.Test, key[5..]);
        }
        else if (key.StartsWith("cv:", StringComparison.OrdinalIgnoreCase))
        {
            (source, metric) = (GateSource.CrossValidation, key[3..]);
        }

        var canonical = known.FirstOrDefault(k => string.Equals(k, metric, StringComparison.OrdinalIgnoreCase))
            ?? throw new SpecException($"{spec.SourcePath}: gate '{key}' names no {spec.Task.ToString().ToLowerInvariant()} metric (metrics: {string.Join(", ", known)}).");
        if (source == GateSource.CrossValidation && spec.Folds < 2)
        {
            throw new SpecException($"{spec.SourcePath}: gate '{key}' needs cross-validation, but folds is {spec.Folds}.");
        }

        var text = condition.Trim();
        var op = text.StartsWith(">=", StringComparison.Ordinal) || text.StartsWith("<=", StringComparison.Ordinal) ? text[..2] : text[..1];
        if (op is not (">=" or "<=" or ">" or "<") || !double.TryParse(text[op.Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out var threshold))
        {
            throw new SpecException($"{spec.SourcePath}: gate '{key}': '{condition}' is not a condition like \">= 0.80\".");
        }

        return new QualityGate(canonical, source, op, threshold);
    }
}

public enum GateSource
{
    Default,
    Test,
    CrossValidation,
}
