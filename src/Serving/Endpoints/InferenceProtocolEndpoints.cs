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
        var open = app.MapGroup("/v2").WithTags("Open Inference Protocol v2");
        open.MapGet("/", () => Results.Ok(new { name = "mlpipeline-serving", version = typeof(InferenceProtocolEndpoints).Assembly.GetName().Version?.ToString(), extensions = Array.Empty<string>() }))
            .WithName("V2ServerMetadata");
        open.MapGet("/health/live", () => Results.Ok(new { live = true })).WithName("V2Live");
        open.MapGet("/health/ready", (PredictionEnginePool pool) =>
                pool.IsReady ? Results.Ok(new { ready = true }) : Results.Json(new { ready = false }, statusCode: StatusCodes.Status503ServiceUnavailable))
            .WithName("V2Ready");

        var models = app.MapGroup("/v2/models").WithTags("Open Inference Protocol v2").RequireServingAccess();
        models.MapGet("/{name}", (string name, PredictionEnginePool pool) => Metadata(pool, name, null)).WithName("V2ModelMetadata");
        models.MapGet("/{name}/versions/{version}", (string name, string version, PredictionEnginePool pool) => Metadata(pool, name, version)).WithName("V2ModelVersionMetadata");
        models.MapGet("/{name}/ready", (string name, PredictionEnginePool pool) => Ready(pool, name)).WithName("V2ModelReady");
        var pipeline = app.ServiceProvider.GetRequiredService<PredictPipeline>();
        models.MapPost("/{name}/infer", (HttpContext context, string name) =>
                pipeline.HandleAsync(context, InferenceProtocol.Instance, name))
            .WithName("V2Infer");
        models.MapPost("/{name}/versions/{version}/infer", (HttpContext context, string name, string version) =>
                pipeline.HandleAsync(context, InferenceProtocol.Instance, name, version, alias: null))
            .WithName("V2InferVersion")
            .RequireAdminAccess();
        return app;
    }

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
