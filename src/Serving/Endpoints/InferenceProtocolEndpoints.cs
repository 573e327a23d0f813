using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Protocols;
using MLPipeline.Serving.Security;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Endpoints;

/// <summary>Open Inference Protocol v2 routes, so KServe clients work unchanged. Health and server metadata stay open.</summary>
public static class InferenceProtocolEndpoints
{
    public static IEndpointRouteBuilder MapInferenceProtocolEndpoints(this IEndpointRouteBuilder app)
    {
        // Server metadata and health are for orchestrators, like /healthz and /metrics: open, and not in the document.
        var open = app.MapGroup("/v2").WithTags("Open Inference Protocol v2").ExcludeFromDescription();
        open.MapGet("/", () => Results.Ok(new { name = "mlpipeline-serving", version = typeof(InferenceProtocolEndpoints).Assembly.GetName().Version?.ToString(), extensions = Array.Empty<string>() }))
            .WithName("V2ServerMetadata");
        open.MapGet("/health/live", () => Results.Ok(new { live = true })).WithName("V2Live");
        open.MapGet("/health/ready", (PredictionEnginePool pool) =>
                pool.IsReady ? Results.Ok(new { ready = true }) : Results.Json(new { ready = false }, statusCode: StatusCodes.Status503ServiceUnavailable))
            .WithName("V2Ready");

        var models = app.MapGroup("/v2/models").WithTags("Open Inference Protocol v2").RequireServingAccess();
        models.MapGet("/{name}", (string name, PredictionEnginePool pool) => Metadata(pool, name, null))
            .WithName("V2ModelMetadata")
            .WithSummary("A model's v2 metadata.")
            .WithDescription("The version the model serves, and its input tensors (one per column: FP32 for numbers, BYTES for text) and output tensors.")
            .WithInferenceMetadata<InferenceModelMetadata>(StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable);
        models.MapGet("/{name}/versions/{version}", (string name, string version, PredictionEnginePool pool) => Metadata(pool, name, version))
            .WithName("V2ModelVersionMetadata")
            .WithSummary("A model's v2 metadata, if it serves that version.")
            .WithDescription("The same as the model's metadata when `version` is the version served now; 404 for any other version.")
            .WithInferenceMetadata<InferenceModelMetadata>(StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable);
        models.MapGet("/{name}/ready", (string name, PredictionEnginePool pool) => Ready(pool, name))
            .WithName("V2ModelReady")
            .WithSummary("Whether the model serves a version now.")
            .WithDescription("200 with `ready: true` once a version is loaded; 503 with `ready: false` before.")
            .WithInferenceMetadata<InferenceModelReady>(StatusCodes.Status404NotFound)
            .Produces<InferenceModelReady>(StatusCodes.Status503ServiceUnavailable);
        // Taken once here rather than per request from the request's services (which would create a DI scope per request).
        var pipeline = app.ServiceProvider.GetRequiredService<PredictPipeline>();
        models.MapPost("/{name}/infer", (HttpContext context, string name) =>
                pipeline.HandleAsync(context, InferenceProtocol.Instance, name))
            .WithName("V2Infer")
            .WithSummary("Predicts with the version the model serves now, through the Open Inference Protocol v2.")
            .WithDescription("One tensor per input column, every tensor with shape [rows]; the answer holds the task's output tensors. "
                + "GET /models/{name}/openapi.json types each tensor for one model.")
            .TakesConcurrencySlotAfterBody()
            .Accepts<InferenceRequest>("application/json")
            .WithInferenceMetadata<InferenceResponse>(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status503ServiceUnavailable);
        models.MapPost("/{name}/versions/{version}/infer", (HttpContext context, string name, string version) =>
                pipeline.HandleAsync(context, InferenceProtocol.Instance, name, version, alias: null))
            .WithName("V2InferVersion")
            .RequireAdminAccess()
            .WithSummary("Predicts with one version of a store model through the Open Inference Protocol v2 (loaded on first use).")
            .WithDescription("Like the model's infer route, on another version of a store model, loaded on demand through the same checks.")
            .TakesConcurrencySlotAfterBody()
            .Accepts<InferenceRequest>("application/json")
            .WithInferenceMetadata<InferenceResponse>(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    /// <summary>The answer on 200 and the protocol's <c>{"error"}</c> body on each error status.</summary>
    private static RouteHandlerBuilder WithInferenceMetadata<TAnswer>(this RouteHandlerBuilder builder, params int[] errors)
    {
        builder.Produces<TAnswer>();
        foreach (var status in errors)
        {
            builder.Produces<InferenceError>(status);
        }

        return builder;
    }

    /// <summary>A graph tensor in v2 metadata; a ZipMap output is BYTES of shape [-1] (one JSON object per row).</summary>
    private static object Tensor(OnnxTensor tensor) => new
    {
        name = tensor.Name,
        datatype = tensor.IsMapSequence ? "BYTES" : OnnxInferenceProtocol.Datatype(tensor.ElementType),
        shape = tensor.IsMapSequence ? [-1] : tensor.Shape,
    };

    private static IResult Ready(PredictionEnginePool pool, string name) =>
        pool.Find(name) is not { } slot
            ? InferenceProtocol.Error(StatusCodes.Status404NotFound, $"Model '{name}' is not served.")
            : slot.Current is not null
                ? Results.Ok(new { name, ready = true })
                : Results.Json(new { name, ready = false }, statusCode: StatusCodes.Status503ServiceUnavailable);

    private static IResult Metadata(PredictionEnginePool pool, string name, string? version)
    {
        if (pool.Find(name) is not { } slot)
        {
            return InferenceProtocol.Error(StatusCodes.Status404NotFound, $"Model '{name}' is not served.");
        }

        if (slot.Current is not { } current)
        {
            return InferenceProtocol.Error(StatusCodes.Status503ServiceUnavailable, $"Model '{name}' has no version loaded yet.");
        }

        if (version is not null && version != current.Version)
        {
            return InferenceProtocol.Error(StatusCodes.Status404NotFound, $"Model '{name}' serves version '{current.Version}', not '{version}'.");
        }

        var manifest = current.Manifest;
        if (manifest.Graph is { } graph)
        {
            return Results.Ok(new
            {
                name,
                versions = new[] { current.Version },
                platform = ModelDetails.PlatformOf(manifest),
                inputs = graph.Inputs.Select(Tensor),
                outputs = graph.Outputs.Select(Tensor),
            });
        }

        var outputs = new List<object>();
        if (manifest.Task != ModelTask.Regression)
        {
            outputs.Add(new { name = "label", datatype = "BYTES", shape = new[] { -1 } });
        }

        if (manifest.Task == ModelTask.Binary)
        {
            outputs.Add(new { name = "probability", datatype = "FP32", shape = new[] { -1 } });
        }

        outputs.Add(manifest.Task == ModelTask.Multiclass
            ? new { name = "scores", datatype = "FP32", shape = new[] { -1, current.ClassNames.Length } }
            : new { name = "score", datatype = "FP32", shape = new[] { -1 } });
        return Results.Ok(new
        {
            name,
            versions = new[] { current.Version },
            platform = "mlnet",
            inputs = current.Binding.Columns.Select(c => new { name = c.Name, datatype = c.IsText ? "BYTES" : "FP32", shape = new[] { -1 } }),
            outputs,
        });
    }
}
