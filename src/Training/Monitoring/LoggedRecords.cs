using System.Text.Json;
using MLPipeline.Shared.Store;
using MLPipeline.Training.Data;

namespace MLPipeline.Training.Monitoring;

/// <summary>One logged prediction as the service wrote it (docs/monitoring.md, "The prediction log").</summary>
public sealed record LoggedPrediction(DateTimeOffset Time, string Version, string Id, double LatencyMilliseconds, JsonElement Inputs, JsonElement Outputs);

/// <summary>One feedback item as the service logged it.</summary>
public sealed record LoggedFeedback(DateTimeOffset Time, string Id, string? Version, JsonElement Label);

/// <summary>
/// Reads a model's prediction log and feedback from the store, the files of the hours in [from, to) only (the hour is
/// in every file's path), every line checked: a line that is not a record names its file and line (exit code 2).
/// </summary>
public static class LoggedRecords
{
    public static async Task<IReadOnlyList<LoggedPrediction>> PredictionsAsync(IModelStore store, string model, string? version, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        var folder = version is null ? RecordPaths.Logs : $"{RecordPaths.Logs}/{StoreNames.Check(version, "version")}";
        var rows = new List<LoggedPrediction>();
        await foreach (var (file, line, json) in LinesAsync(store, model, folder, from, to, cancellationToken))
        {
            var row = Read(file, line, () => new LoggedPrediction(
                json.GetProperty("time").GetDateTimeOffset(),
                json.GetProperty("version").GetString()!,
                json.GetProperty("id").GetString()!,
                json.GetProperty("latencyMs").GetDouble(),
                json.GetProperty("inputs").Clone(),
                json.GetProperty("outputs").Clone()));
            if (InRange(row.Time, from, to))
            {
                rows.Add(row);
            }
        }

        return rows;
    }

    public static async Task<IReadOnlyList<LoggedFeedback>> FeedbackAsync(IModelStore store, string model, DateTimeOffset? from, CancellationToken cancellationToken)
    {
        var rows = new List<LoggedFeedback>();
        await foreach (var (file, line, json) in LinesAsync(store, model, RecordPaths.Feedback, from, to: null, cancellationToken))
        {
            // Feedback arrives after its prediction: only the start of the range applies.
            var row = Read(file, line, () => new LoggedFeedback(
                json.GetProperty("time").GetDateTimeOffset(),
                json.GetProperty("id").GetString()!,
                json.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null,
                json.GetProperty("label").Clone()));
            if (InRange(row.Time, from, null))
            {
                rows.Add(row);
            }
        }

        return rows;
    }

    /// <summary>The latest label per prediction id (several replicas may have received feedback for one id).</summary>
    public static Dictionary<string, JsonElement> LatestLabels(IEnumerable<LoggedFeedback> feedback) =>
        feedback.OrderBy(f => f.Time).GroupBy(f => f.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Label, StringComparer.Ordinal);

    private static bool InRange(DateTimeOffset time, DateTimeOffset? from, DateTimeOffset? to) =>
        (from is null || time >= from) && (to is null || time < to);

    private static T Read<T>(string file, int line, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException or JsonException)
        {
            throw new DataException($"{file}, line {line}: not a monitoring record ({ex.Message}).");
        }
    }

    private static async IAsyncEnumerable<(string File, int Line, JsonElement Json)> LinesAsync(
        IModelStore store, string model, string folder, DateTimeOffset? from, DateTimeOffset? to,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var file in await store.ListRecordsAsync(model, folder, cancellationToken))
        {
            // A file holds the rows of one hour: skip the hours outside the range without reading them.
            if (RecordPaths.HourOf(file) is { } hour && ((from is { } f && hour.AddHours(1) <= f) || (to is { } t && hour >= t)))
            {
                continue;
            }

            var bytes = await store.ReadRecordsAsync(model, file, cancellationToken);
            var number = 0;
            foreach (var text in System.Text.Encoding.UTF8.GetString(bytes).Split('\n'))
            {
                number++;
                if (text.Length == 0)
                {
                    continue;
                }

                JsonElement json;
                try
                {
                    json = JsonDocument.Parse(text).RootElement;
                }
                catch (JsonException ex)
                {
                    throw new DataException($"{store.Location}/{model}/{file}, line {number}: not JSON ({ex.Message}).");
                }

                yield return ($"{store.Location}/{model}/{file}", number, json);
            }
        }
    }
}
