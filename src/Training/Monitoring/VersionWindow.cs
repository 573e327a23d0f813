using System.Text.Json;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Monitoring;
using MLPipeline.Training.Evaluation;

namespace MLPipeline.Training.Monitoring;

/// <summary>
/// The logged predictions of one version in one period (an hour, or the whole range): their volume and latency, the
/// PSI of each profiled column and of the score against the manifest's training profile, and the quality of the rows
/// that have feedback, computed as the service computes them.
/// </summary>
public sealed record VersionWindow(
    int Rows,
    double MeanLatencyMilliseconds,
    double P95LatencyMilliseconds,
    IReadOnlyDictionary<string, double> Psi,
    double? ScorePsi,
    int Joined,
    IReadOnlyDictionary<string, double> Quality)
{
    public static VersionWindow Of(ModelManifest manifest, IReadOnlyList<LoggedPrediction> rows, IReadOnlyDictionary<string, JsonElement> labels)
    {
        var latencies = rows.Select(r => r.LatencyMilliseconds).Order().ToList();
        var psi = new Dictionary<string, double>(StringComparer.Ordinal);
        double? scorePsi = null;
        if (manifest.Profile is { } profile && rows.Count > 0)
        {
            foreach (var (column, columnProfile) in profile.Columns)
            {
                if (rows[0].Inputs.TryGetProperty(column, out _))
                {
                    psi[column] = Index(columnProfile, rows.Select(r => r.Inputs.TryGetProperty(column, out var v) ? v : default));
                }
            }

            if (profile.Score is { } score)
            {
                var scoreName = manifest.Task switch { ModelTask.Regression => "score", ModelTask.Binary => "probability", _ => "label" };
                scorePsi = Index(score, rows.Select(r => r.Outputs.TryGetProperty(scoreName, out var v) ? v : default));
            }
        }

        var classes = FeedbackLabel.ClassesOf(manifest);
        var joined = new List<JoinedRow>();
        foreach (var row in rows)
        {
            if (labels.TryGetValue(row.Id, out var label) && FeedbackLabel.Read(label, manifest.Task, classes) is { Truth: { } truth })
            {
                joined.Add(new JoinedRow(Predicted(row.Outputs, manifest, classes), truth));
            }
        }

        var quality = joined.Count == 0 ? new Dictionary<string, double>() : manifest.Task switch
        {
            ModelTask.Regression => QualityMetrics.Regression(joined),
            ModelTask.Binary => QualityMetrics.Binary(joined, classes),
            _ => QualityMetrics.Multiclass(joined, classes),
        };
        return new VersionWindow(
            rows.Count,
            latencies.Count == 0 ? 0 : latencies.Average(),
            latencies.Count == 0 ? 0 : latencies[Math.Max(0, (int)Math.Ceiling(latencies.Count * 0.95) - 1)],
            psi,
            scorePsi,
            joined.Count,
            quality);
    }

    /// <summary>The quality metric versions are compared by, when there is feedback.</summary>
    public double? MainQuality(ModelTask task) => Quality.TryGetValue(MetricNames.MainMetric(task), out var value) ? value : null;

    private static double Index(ColumnProfile profile, IEnumerable<JsonElement> values)
    {
        var counts = new long[profile.BinCount];
        foreach (var value in values)
        {
            // The service reads and scores 32-bit floats, and the profile's edges are 32-bit values: bin the float.
            var bin = profile.IsNumeric
                ? profile.BinOf(value.ValueKind == JsonValueKind.Number ? value.GetSingle() : double.NaN)
                : profile.BinOf(value.ValueKind switch { JsonValueKind.String => value.GetString(), JsonValueKind.Number => value.GetRawText(), _ => null });
            counts[bin]++;
        }

        return PopulationStability.Index(profile.ExpectedShares(), counts);
    }

    private static PredictedValue Predicted(JsonElement outputs, ModelManifest manifest, IReadOnlyList<string> classes)
    {
        float Number(string name) => outputs.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetSingle() : float.NaN;
        string? Label() => outputs.TryGetProperty("label", out var v) ? v.GetString() : null;
        return manifest.Task switch
        {
            ModelTask.Regression => new PredictedValue(Number("score"), float.NaN, null, null),
            ModelTask.Binary => new PredictedValue(Number("score"), Number("probability"), Label(), null),
            _ => new PredictedValue(float.NaN, float.NaN, Label(),
                [.. classes.Select(c => outputs.TryGetProperty("scores", out var s) && s.TryGetProperty(c, out var p) && p.ValueKind == JsonValueKind.Number ? p.GetSingle() : float.NaN)]),
        };
    }
}
