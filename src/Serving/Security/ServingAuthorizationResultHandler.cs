using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace MLPipeline.Serving.Security;

/// <summary>
/// Counts 401s and 403s, and answers a 403 with problem details that say which role the route needs and which the
/// caller has (its id, never its key), so a misconfigured client knows what to ask for.
/// </summary>
public sealed class ServingAuthorizationResultHandler(RequestRejectionMetrics metrics, ILogger<ServingAuthorizationResultHandler> logger)
    : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    // An authorized request goes straight on, without an async step of its own (the predict hot path).
    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult) =>
        authorizeResult.Succeeded ? next(context) : RefuseAsync(next, context, policy, authorizeResult);

    private async Task RefuseAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            metrics.Rejected(RequestRejectionMetrics.Unauthenticated);
        }
        else if (authorizeResult.Forbidden && context.User.Identities.Any(i => i.IsAuthenticated))
        {
            metrics.Rejected(RequestRejectionMetrics.Forbidden);
            var needed = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<ClaimsAuthorizationRequirement>()
                .Where(r => r.ClaimType == ServingClaims.Role)
                .Select(r => r.AllowedValues?.Contains(ServingClaims.PredictRole) == true ? ServingClaims.PredictRole : ServingClaims.AdminRole)
                .FirstOrDefault() ?? ServingClaims.AdminRole;
            var caller = ServingClaims.CallerOf(context.User)?.Value ?? "unknown";
            var role = ServingClaims.RoleOf(context.User) ?? "none";
            logger.LogInformation("Refused {Method} {Path} to {Caller} (role {Role}): the route needs the {Needed} role.",
                context.Request.Method, context.Request.Path, caller, role, needed);
            await Results.Problem(
                detail: $"This route needs the {needed} role; the caller '{caller}' has {(role == "none" ? "no role" : "the " + role + " role")}.",
                statusCode: StatusCodes.Status403Forbidden,
                title: "Forbidden").ExecuteAsync(context);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
