using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Training.Data;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Runs;

/// <summary>
/// Scores single rows given as column -> value through the same loader as the training data, so a value is
/// parsed exactly as it would be in the CSV.
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

        var path = Path.Combine(Path.GetTempPath(), $"mlpipeline-row-{Guid.NewGuid():N}.csv");
        try
        {
            var separator = spec.Data.SeparatorChar.ToString();
            var fields = profile.Header.Select((name, i) =>
                i == profile.LabelIndex ? (profile.LabelClasses.Count > 0 ? profile.LabelClasses[0] : "0") : row.GetValueOrDefault(name) ?? "");
            var lines = new StringBuilder();
            if (spec.Data.HasHeader)
            {
                lines.AppendLine(string.Join(separator, profile.Header.Select(h => Field(h, spec))));
            }

            lines.AppendLine(string.Join(separator, fields.Select(f => Field(f, spec))));
            File.WriteAllText(path, lines.ToString());
            var view = DataLoading.CreateLoader(ml, spec, profile).Load(path);
            var scored = model.Transform(view);
            return scored.GetColumn<float>("Score").First();
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Field(string value, TrainingSpec spec) =>
        spec.Data.AllowQuoting ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;

    private static string? ToText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        _ => value.GetRawText(),
    };
}
