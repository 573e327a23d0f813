using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Training.Data;
using MLPipeline.Training.Featurization;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Runs;

/// <summary>
/// Scores single rows given as column -> value, parsed exactly as the training data's values are.
/// </summary>
public static class ExpectationChecker
{
    public static IReadOnlyList<GateOutcome> Check(MLContext ml, TrainingSpec spec, DataProfile profile, ITransformer model)
    {
        return spec.Expectations.Select(expectation =>
        {
            var score = ScoreRow(ml, spec, profile, model, expectation.Input.ToDictionary(kv => kv.Key, kv => ToText(kv.Value)));
            var input = string.Join(", ", expectation.Input.Select(kv => $"{kv.Key}={kv.Value}"));
            var gate = string.Create(CultureInfo.InvariantCulture, $"score({input}) = {expectation.Score} ± {expectation.Tolerance}");
            return new GateOutcome(gate, score, Math.Abs(score - expectation.Score) <= expectation.Tolerance);
        }).ToList();
    }

    public static float ScoreRow(MLContext ml, TrainingSpec spec, DataProfile profile, ITransformer model, IReadOnlyDictionary<string, string?> row)
    {
        foreach (var column in row.Keys.Where(k => !profile.Features.Any(f => f.Name == k)))
        {
            throw new SpecException($"{spec.SourcePath}: expectation input column '{column}' is not a feature of this model.");
        }

        // The values are read as the CSV's are: numbers through the same parser, empty = missing.
        var numbers = new List<(string, float[])>();
        var texts = new List<(string, string[])>();
        foreach (var feature in profile.Features)
        {
            var value = row.GetValueOrDefault(feature.Name) ?? "";
            if (feature.Kind != ColumnKind.Numeric)
            {
                texts.Add((feature.Name, [value]));
                continue;
            }

            var number = float.NaN;
            if (value.Length > 0 && !CsvNumbers.TryParse(value, out number))
            {
                throw new SpecException($"{spec.SourcePath}: expectation input '{feature.Name}' is '{value}', which is not a number.");
            }

            numbers.Add((feature.Name, [number]));
        }

        var scored = model.Transform(new SummaryDataView(numbers, texts));
        return scored.GetColumn<float>("Score").First();
    }

    private static string? ToText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        _ => value.GetRawText(),
    };
}
