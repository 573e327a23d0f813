using System.Text.Json;
using Microsoft.Extensions.Options;
using MLPipeline.Serving.Endpoints;
using MLPipeline.Serving.Observability;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Security;
using MLPipeline.Shared.Monitoring;

namespace MLPipeline.Serving.Monitoring;

/// <summary><c>POST /models/{name}/feedback</c> (ground truth for monitored predictions) and <c>GET /models/{name}/monitoring</c>.</summary>
public static class MonitoringEndpoints
{
    /// <summary>The longest feedback label taken, in characters (a number's text, or a class name).</summary>
    public const int MaxLabelLength = 1024;

    public static IServiceCollection AddMonitoring(this IServiceCollection services)
    {
        services.AddSingleton<MonitoringRegistry>();
        services.AddSingleton<PredictionLog>();
        services.AddHostedService(sp => sp.GetRequiredService<PredictionLog>());
        return services;
    }

    public static RouteGroupBuilder MapMonitoringEndpoints(this IEndpointRouteBuilder app)
    {
        var registry = app.ServiceProvider.GetRequiredService<MonitoringRegistry>();
        var metrics = app.ServiceProvider.GetRequiredService<ServingMetrics>();

        // The gauges are set from the windows just before each scrape, not on every prediction.
        metrics.Registry.AddBeforeCollectCallback(() =>
        {
            foreach (var version in registry.AllVersions)
            {
                var drift = version.Drift.Figures();
                var psi = drift.Score is { } score ? drift.Columns.Append(new(DriftWindow.ScoreName, score)).ToDictionary() : drift.Columns;
                metrics.Monitored(version.Model, version.Version, version.Quality.Figures().Metrics, psi);
            }
        });

        var group = app.MapGroup("/models").WithTags(OpenApi.ServiceDocumentTransformer.MonitoringTag).RequireServingAccess();
        group.MapPost("/{name}/feedback", FeedbackAsync)
            .WithName("Feedback")
            .WithSummary("Ground truth for monitored predictions, joined by prediction id.")
            .WithDescription("`{\"items\": [{\"id\": \"<prediction id>\", \"label\": <truth>}]}`: the label is a number (regression) or a class name. "
                + "Items whose id no monitored version knows (not sampled, expired, already joined) are counted as unknown, not refused.")
            .Accepts<FeedbackRequest>("application/json")
            .Produces<FeedbackResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{name}/monitoring", Monitoring)
            .WithName("GetMonitoring")
            .WithSummary("Live quality, drift per input column, window sizes and log counts per version, on this replica.")
            .WithDescription("Figures over sliding windows of the monitored (sampled) predictions: see docs/monitoring.md.")
            .Produces<MonitoringReport>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> FeedbackAsync(string name, HttpContext context, MonitoringRegistry registry, PredictionLog log, ModelResolver resolver, IOptions<ServingOptions> options)
    {
        try
        {
            resolver.Served(name);
            if (registry.For(name) is null)
            {
                return Problems.Create(StatusCodes.Status409Conflict, "Monitoring is off", $"Model '{name}' is not monitored: set Serving:Monitoring:Models:{name}:LogPercent above 0.");
            }

            var limits = options.Value.Limits;
            using var body = await RequestBody.ReadAsync(context.Request, limits.MaxBodyBytes, context.RequestAborted);
            using var document = JsonDocument.Parse(body.Memory, new JsonDocumentOptions { MaxDepth = 16 });
            var items = ReadItems(document.RootElement, limits.MaxBatchSize);
            var versions = registry.Versions(name);
            var now = DateTimeOffset.UtcNow;
            var joined = 0;
            var unknown = 0;
            var invalid = new List<FeedbackProblem>();
            var lines = new List<Action<Utf8JsonWriter>>(items.Count);
            for (var i = 0; i < items.Count; i++)
            {
                var (id, label) = items[i];
                var match = versions.Select(v => (Version: v, Predicted: v.Joins.Take(id, now))).FirstOrDefault(m => m.Predicted is not null);
                if (match.Version is null)
                {
                    unknown++;
                    registry.CountUnknownFeedback(name);
                }
                else if (FeedbackLabel.Read(label, match.Version.Manifest.Task, match.Version.Classes) is { Truth: { } truth })
                {
                    match.Version.Quality.Add(new JoinedRow(match.Predicted!, truth));
                    match.Version.CountJoined();
                    joined++;
                }
                else
                {
                    match.Version.CountInvalid();
                    invalid.Add(new FeedbackProblem(i, id, FeedbackLabel.Read(label, match.Version.Manifest.Task, match.Version.Classes).Problem!));
                }

                var version = match.Version?.Version;
                var labelCopy = label.Clone();
                lines.Add(w => RecordJson.WriteFeedback(w, now, log.Replica, name, id, version, labelCopy));
            }

            log.AppendFeedback(name, lines);
            return TypedResults.Ok(new FeedbackResponse(name, items.Count, joined, unknown, invalid));
        }
        catch (ServingException ex)
        {
            return Problems.From(ex);
        }
        catch (JsonException ex)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Malformed JSON", Problems.MalformedJsonDetail(ex), "$");
        }
    }

    private static List<(string Id, JsonElement Label)> ReadItems(JsonElement root, int maxItems)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidInputException("items", "is missing; send {\"items\": [{\"id\": \"...\", \"label\": ...}]}.");
        }

        var count = items.GetArrayLength();
        if (count == 0 || count > maxItems)
        {
            throw new InvalidInputException("items", $"must hold 1 to {maxItems} items (Serving:Limits:MaxBatchSize).");
        }

        var read = new List<(string, JsonElement)>(count);
        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidInputException($"items[{index}]", "must be an object {\"id\": \"...\", \"label\": ...}.");
            }

            if (!item.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || !PredictionIds.IsValid(id.GetString()))
            {
                throw new InvalidInputException($"items[{index}].id", $"must be a prediction id: 1 to {PredictionIds.MaxLength} letters, digits, '.', '_' or '-'.");
            }

            if (!item.TryGetProperty("label", out var label) || label.ValueKind is JsonValueKind.Null or JsonValueKind.Object or JsonValueKind.Array)
            {
                throw new InvalidInputException($"items[{index}].label", "is missing; send the true value: a number or a class name.");
            }

            // A label is a number or a class name; it is kept in the feedback log whether or not its id is known, so one
            // the size of a whole body would let a flood of unknown ids fill the log's row budget with megabytes each.
            if ((label.ValueKind == JsonValueKind.String ? label.GetString()!.Length : label.GetRawText().Length) > MaxLabelLength)
            {
                throw new InvalidInputException($"items[{index}].label", $"is longer than {MaxLabelLength} characters: send a number or one of the model's class names.");
            }

            read.Add((id.GetString()!, label));
            index++;
        }

        return read;
    }

    private static IResult Monitoring(string name, MonitoringRegistry registry, PredictionEnginePool pool, PredictionLog log)
    {
        if (pool.Find(name) is not { } slot)
        {
            return Problems.From(new UnknownModelException($"Model '{name}' is not served."));
        }

        var monitor = registry.For(name);
        var served = slot.Current?.Version;
        return TypedResults.Ok(new MonitoringReport(
            name,
            monitor is not null,
            monitor?.Percent ?? 0,
            log.Replica,
            registry.UnknownFeedback(name),
            [.. registry.Versions(name).Select(v => new VersionReport(
                v.Version,
                v.Version == served,
                new LogCounts(v.Logged, v.Written, v.Dropped),
                new FeedbackCounts(v.FeedbackJoined, v.FeedbackInvalid, v.Joins.Count),
                v.Quality.Figures(),
                v.Drift.Figures()))]));
    }
}

public sealed record FeedbackRequest(IReadOnlyList<FeedbackItem> Items);

public sealed record FeedbackItem(string Id, JsonElement Label);

/// <param name="Unknown">Items whose id no monitored version knows: not sampled, expired from the window, or already joined.</param>
/// <param name="Invalid">Items whose id was known but whose label does not fit the model (the prediction is used up).</param>
public sealed record FeedbackResponse(string Model, int Received, int Joined, int Unknown, IReadOnlyList<FeedbackProblem> Invalid);

public sealed record FeedbackProblem(int Index, string Id, string Reason);

/// <param name="LogPercent">Share of requests monitored and logged.</param>
/// <param name="FeedbackUnknown">Feedback items with an id no version knew, since the start.</param>
public sealed record MonitoringReport(string Model, bool Monitored, double LogPercent, string Replica, long FeedbackUnknown, IReadOnlyList<VersionReport> Versions);

public sealed record VersionReport(string Version, bool Served, LogCounts Log, FeedbackCounts Feedback, LiveQualityFigures Quality, DriftFigures Drift);

/// <param name="Logged">Rows monitored.</param>
/// <param name="Written">Rows written to the store.</param>
/// <param name="Dropped">Rows not written (queue full, store behind or failing).</param>
public sealed record LogCounts(long Logged, long Written, long Dropped);

/// <param name="Waiting">Predictions in the join window still waiting for their feedback.</param>
public sealed record FeedbackCounts(long Joined, long Invalid, int Waiting);
