using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using MLPipeline.Serving.Security;

namespace MLPipeline.Serving.OpenApi;

/// <summary>
/// Gives every operation of the service's document the security its route's role asks for (an explicit empty list on
/// open routes), and the refusals that role brings: 401 and 403 when security is on, 429 (per-caller rate limit) and
/// 503 (concurrency limit) always, 415 on admin POSTs; each as problem details with the service's own wording.
/// </summary>
internal sealed class RoleOperationTransformer(OpenApiSecurity security) : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var document = context.Document ?? throw new InvalidOperationException("The operation transformer needs the document being built.");
        var role = RoleOf(context.Description.ActionDescriptor.EndpointMetadata);
        operation.Security = security.Requirements(document, role);
        operation.Responses ??= [];
        if (role is not null)
        {
            if (security.Enabled)
            {
                operation.Responses.TryAdd("401", new OpenApiResponse());
                operation.Responses.TryAdd("403", new OpenApiResponse());
            }

            operation.Responses.TryAdd("429", new OpenApiResponse());
            operation.Responses.TryAdd("503", new OpenApiResponse());
            if (role == ServingClaims.AdminRole && HttpMethods.IsPost(context.Description.HttpMethod ?? ""))
            {
                operation.Responses.TryAdd("415", new OpenApiResponse());
            }
        }

        ProblemResponses.Complete(operation, document, role);
        return Task.CompletedTask;
    }

    /// <summary>The strictest role the endpoint asks for, or null for an open route.</summary>
    internal static string? RoleOf(IEnumerable<object> metadata)
    {
        var roles = metadata.OfType<RouteRole>().Select(r => r.Role).ToHashSet(StringComparer.Ordinal);
        return roles.Contains(ServingClaims.AdminRole) ? ServingClaims.AdminRole
            : roles.Contains(ServingClaims.PredictRole) ? ServingClaims.PredictRole
            : null;
    }
}
