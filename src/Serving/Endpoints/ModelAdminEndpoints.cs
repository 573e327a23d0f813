using MLPipeline.Serving.Loading;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Reload;
using MLPipeline.Serving.Security;

namespace MLPipeline.Serving.Endpoints;

/// <summary><c>GET /models</c>, <c>GET /models/{name}</c> and <c>POST /models/{name}/reload</c> (load, verify, warm up, swap).</summary>
public static class ModelAdminEndpoints
{
    public static RouteGroupBuilder MapModelAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/models").WithTags("Models").RequireServingAccess();

        group.MapGet("/", (PredictionEnginePool pool) => TypedResults.Ok(pool.Models.Select(ModelSummary.Of).ToList()))
            .WithName("ListModels")
            .WithSummary("The served models: version, alias, source, ETag, loaded at, status, last error.");

        group.MapGet("/{name}", (string name, PredictionEnginePool pool) =>
                pool.Find(name) is { } slot
                    ? Results.Ok(ModelDetails.Of(slot, pool.OnDemandVersions))
                    : Problems.Create(StatusCodes.Status404NotFound, "Unknown model", $"Model '{name}' is not served.", "name"))
            .WithName("GetModel")
            .WithSummary("One model: schema, metrics, source, status, load history.")
            .Produces<ModelDetails>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{name}/reload", async (string name, bool? acceptSchemaChange, PredictionEnginePool pool, IServiceProvider services, CancellationToken cancellationToken) =>
            {
                if (pool.Find(name) is not { } slot)
                {
                    return Problems.Create(StatusCodes.Status404NotFound, "Unknown model", $"Model '{name}' is not served.", "name");
                }

                try
                {
                    // Through the model's watch, so a route reload and a poll never run at once.
                    if (services.GetService<ModelReloadService>() is { } reloads)
                    {
                        await reloads.ReloadNowAsync(slot, acceptSchemaChange ?? false, cancellationToken);
                    }
                    else
                    {
                        await pool.LoadAsync(slot, acceptSchemaChange ?? false, cancellationToken);
                    }

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
            .WithSummary("Loads the model's source now and swaps the new version in once it is verified and warmed up; acceptSchemaChange=true declares a change of inputs.")
            .Produces<ModelSummary>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status502BadGateway);

        return group;
    }
}
