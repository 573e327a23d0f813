using Microsoft.AspNetCore.Authorization;
using MLPipeline.Serving.Lifecycle;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Security;
using MLPipeline.Serving.Sources;

namespace MLPipeline.Serving.Endpoints;

/// <summary><c>GET /models</c>, <c>GET /models/{name}</c> and <c>POST /models/{name}/reload</c> (load, verify, warm up, swap).</summary>
public static class ModelAdminEndpoints
{
    public static RouteGroupBuilder MapModelAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/models").WithTags("Models").RequireServingAccess();

        group.MapGet("/", (PredictionEnginePool pool) => TypedResults.Ok(pool.Models.Select(ModelSummary.Of).ToList()))
            .WithName("ListModels")
            .WithSummary("The served models: version, alias, store-relative source, ETag, loaded at, status, last error.")
            .WithDescription("Every model the service serves, whether its version is loaded (`ready`, `degraded`, `failed`, `loading`).");

        group.MapGet("/{name}", async (string name, HttpContext context, PredictionEnginePool pool, IAuthorizationService authorization) =>
                pool.Find(name) is { } slot
                    ? Results.Ok(ModelDetails.Of(slot, pool.OnDemand.Slots, (await authorization.AuthorizeAsync(context.User, ServingSecurity.AdminPolicy)).Succeeded))
                    : Problems.From(new UnknownModelException($"Model '{name}' is not served.")))
            .WithName("GetModel")
            .WithSummary("One model: schema, metrics, status, load history; the full source and a sample row for the admin role.")
            .WithDescription("The manifest's inputs, outputs, label and metrics of the version served now, the load counts and last error, "
                + "and the versions loaded on demand.")
            .Produces<ModelDetails>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{name}/reload", async (string name, bool? acceptSchemaChange, PredictionEnginePool pool, ModelLifecycleService lifecycles, CancellationToken cancellationToken) =>
            {
                if (pool.Find(name) is not { } slot)
                {
                    return Problems.From(new UnknownModelException($"Model '{name}' is not served."));
                }

                try
                {
                    // Through the model's lifecycle, so a route reload and a poll never run at once.
                    await lifecycles.ReloadNowAsync(slot, acceptSchemaChange ?? false, cancellationToken);
                    return Results.Ok(ModelSummary.Of(slot));
                }
                catch (ModelSourceException ex)
                {
                    var serving = slot.Current is null ? "nothing is served" : $"version {slot.Current.Version} keeps serving";
                    return Problems.Create(StatusCodes.Status502BadGateway, "Reload failed", $"{ex.Message} ({serving}).");
                }
            })
            .WithName("ReloadModel")
            .RequireAdminAccess()
            .WithSummary("Loads the model's source now and swaps the new version in once it is verified and warmed up.")
            .WithDescription("Runs the watcher's path at once: fetch, verify, warm up and swap, even when the source looks unchanged. A failure "
                + "keeps the version served (502). `acceptSchemaChange=true` declares a change of inputs, refused otherwise.")
            .Produces<ModelSummary>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status502BadGateway);

        return group;
    }
}
