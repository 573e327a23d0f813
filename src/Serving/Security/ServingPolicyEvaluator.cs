using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace MLPipeline.Serving.Security;

/// <summary>
/// The authorization middleware's policy evaluator, one for the app. The service's role policies (an authenticated
/// user with a role claim) are checked here directly against the caller, with the framework's own rules for those two
/// requirements; any other policy, and authentication for policies that name schemes, go to ASP.NET Core's
/// <see cref="PolicyEvaluator"/>.
/// </summary>
/// <remarks>
/// The framework's evaluator is created per request and runs every policy through the authorization service (a handler
/// list, a context with a set of pending requirements, one async handler per requirement): on the predict route that
/// cost about as much as reading the request's JSON (tests/Benchmarks/RESULTS.md). The outcome is the same: success,
/// a challenge when the caller is not authenticated, or a forbid naming the requirements not met.
/// </remarks>
public sealed class ServingPolicyEvaluator(IAuthorizationService authorization, ILogger<ServingPolicyEvaluator> logger) : IPolicyEvaluator
{
    private static readonly Task<PolicyAuthorizationResult> Succeeded = Task.FromResult(PolicyAuthorizationResult.Success());
    private static readonly Task<PolicyAuthorizationResult> Challenged = Task.FromResult(PolicyAuthorizationResult.Challenge());
    private static readonly Task<AuthenticateResult> NoResult = Task.FromResult(AuthenticateResult.NoResult());

    private readonly PolicyEvaluator _framework = new(authorization);

    public Task<AuthenticateResult> AuthenticateAsync(AuthorizationPolicy policy, HttpContext context)
    {
        if (policy.AuthenticationSchemes.Count > 0)
        {
            return _framework.AuthenticateAsync(policy, context);
        }

        // No scheme named: the result the authentication middleware already reached for the default scheme.
        if (context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult is { Succeeded: true } result)
        {
            return Task.FromResult(result);
        }

        return context.User.Identity?.IsAuthenticated == true ? _framework.AuthenticateAsync(policy, context) : NoResult;
    }

    public Task<PolicyAuthorizationResult> AuthorizeAsync(AuthorizationPolicy policy, AuthenticateResult authenticationResult, HttpContext context, object? resource)
    {
        if (!IsRolePolicy(policy))
        {
            return _framework.AuthorizeAsync(policy, authenticationResult, context, resource);
        }

        List<IAuthorizationRequirement>? unmet = null;
        foreach (var requirement in policy.Requirements)
        {
            if (!IsMet(requirement, context.User))
            {
                (unmet ??= []).Add(requirement);
            }
        }

        if (unmet is null)
        {
            return Succeeded;
        }

        logger.LogInformation("Authorization failed. These requirements were not met: {Requirements}", string.Join(", ", unmet));
        return authenticationResult.Succeeded
            ? Task.FromResult(PolicyAuthorizationResult.Forbid(AuthorizationFailure.Failed(unmet)))
            : Challenged;
    }

    /// <summary>Only an authenticated user and claims: requirements whose outcome depends on the caller alone.</summary>
    private static bool IsRolePolicy(AuthorizationPolicy policy)
    {
        foreach (var requirement in policy.Requirements)
        {
            if (requirement is not (DenyAnonymousAuthorizationRequirement or ClaimsAuthorizationRequirement))
            {
                return false;
            }
        }

        return true;
    }

    // The same tests as the framework's handlers for these two requirements.
    private static bool IsMet(IAuthorizationRequirement requirement, ClaimsPrincipal user) => requirement switch
    {
        DenyAnonymousAuthorizationRequirement => user.Identities.Any(i => i.IsAuthenticated),
        ClaimsAuthorizationRequirement claims => HasClaim(user, claims),
        _ => false,
    };

    private static bool HasClaim(ClaimsPrincipal user, ClaimsAuthorizationRequirement requirement)
    {
        foreach (var claim in user.Claims)
        {
            if (string.Equals(claim.Type, requirement.ClaimType, StringComparison.OrdinalIgnoreCase)
                && (requirement.AllowedValues is null || !requirement.AllowedValues.Any() || requirement.AllowedValues.Contains(claim.Value, StringComparer.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }
}
