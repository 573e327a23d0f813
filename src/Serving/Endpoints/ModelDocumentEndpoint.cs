using Microsoft.AspNetCore.Authorization;
using MLPipeline.Serving.OpenApi;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Security;

namespace MLPipeline.Serving.Endpoints;

/// <summary><c>GET /models/{name}/openapi.json</c>: the OpenAPI document of one model, from the version it serves now.</summary>
public static class ModelDocumentEndpoint
{
    public static RouteHandlerBuilder MapModelDocumentEndpoint(this IEndpointRouteBuilder app) =>
        app.MapGet("/models/{name}/openapi.json", async (string name, HttpContext context, PredictionEnginePool pool, ModelDocuments documents, IAuthorizationService authorization) =>
            {
                if (pool.Find(name) is not { } slot)
                {
                    return Problems.From(new UnknownModelException($"Model '{name}' is not served. GET /models lists the served models."));
                }

                if (slot.Current is not { } generation)
                {
                    return Problems.From(new ModelNotReadyException($"Model '{name}' has no version loaded yet; its document describes the version it serves."));
                }

                if (generation.Manifest.IsOnnx)
                {
                    // The typed document is built from ML.NET input columns; an ONNX model's tensors are in its v2 metadata.
                    return Problems.Create(StatusCodes.Status404NotFound, "No typed document", $"Model '{name}' is an imported ONNX model: it has no typed OpenAPI document; GET /v2/models/{name} lists its input and output tensors with their shapes.", "name");
                }

                // The sample row is a training row: like GET /models/{name}, only the admin role sees it.
                var admin = (await authorization.AuthorizeAsync(context.User, ServingSecurity.AdminPolicy)).Succeeded;
                var json = await documents.WriteAsync(name, generation.Manifest, ServiceInfo.ServerUrl(context.Request), admin, context.RequestAborted);
                context.Response.Headers[PredictPipeline.VersionHeader] = generation.Version;
                return Results.Text(json, "application/json; charset=utf-8");
            })
            .WithTags(ServiceDocumentTransformer.ModelsTag)
            .WithName("GetModelOpenApi")
            .WithSummary("The model's own OpenAPI document, for client generators.")
            .WithDescription("Its predict and v2 infer operations with the request typed from the manifest of the version served now (a "
                + "property per input column with its type, the training categories as enums) and the answer typed by task. "
                + "`info.version` is the served version. The request example is a training row, shown to the admin role only.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireServingAccess();
}
