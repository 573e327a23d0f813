using MLPipeline.Serving.Protocols;
using MLPipeline.Serving.Security;

namespace MLPipeline.Serving.Endpoints;

/// <summary><c>POST /models/{name}/predict</c>, and the same for a given version or alias.</summary>
public static class PredictEndpoints
{
    public static RouteGroupBuilder MapPredictEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/models").WithTags("Predict").RequireServingAccess();

        // Taken once here rather than per request from the request's services (which would create a DI scope per request).
        var pipeline = app.ServiceProvider.GetRequiredService<PredictPipeline>();
        group.MapPost("/{name}/predict", (HttpContext context, string name) =>
                pipeline.HandleAsync(context, InstancesProtocol.Instance, name))
            .WithName("Predict")
            .WithSummary("Predicts with the version the model serves now.")
            .WithDescription("`{\"instances\": [{column: value}]}`: every input column in every instance, `null` for a missing value. "
                + "GET /models/{name}/openapi.json types the instances for one model.")
            .WithPredictMetadata();

        group.MapPost("/{name}/versions/{version}/predict", (HttpContext context, string name, string version) =>
                pipeline.HandleAsync(context, InstancesProtocol.Instance, name, version, alias: null))
            .WithName("PredictVersion")
            .RequireAdminAccess()
            .WithSummary("Predicts with one version of a store model (loaded on first use).")
            .WithDescription("Loads the version on demand through the same checks as every load, and keeps it in a bounded cache of "
                + "versions (Serving:Limits:MaxOnDemandVersions, MaxOnDemandBytes).")
            .WithPredictMetadata();

        group.MapPost("/{name}/aliases/{alias}/predict", (HttpContext context, string name, string alias) =>
                pipeline.HandleAsync(context, InstancesProtocol.Instance, name, version: null, alias))
            .WithName("PredictAlias")
            .RequireAdminAccess()
            .WithSummary("Predicts with the version an alias of a store model points at now.")
            .WithDescription("Reads where the alias points (at most every 5 s per name) and predicts with that version, loaded on demand.")
            .WithPredictMetadata();

        return group;
    }

    private static RouteHandlerBuilder WithPredictMetadata(this RouteHandlerBuilder builder) =>
        builder.TakesConcurrencySlotAfterBody()
            .Accepts<PredictRequest>("application/json")
            .Produces<PredictResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
