using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace MLPipeline.Serving.Security;

/// <summary>
/// The authorization middleware's policy evaluator, one for the app. A policy that names the API-key scheme alone is
/// authenticated here from the registry; the service's role policies (an authenticated user with a role claim) are
/// checked directly against the caller, with the framework's own rules for those two requirements. Any other policy,
/// and authentication for several schemes (API keys and JWT), go to ASP.NET Core's <see cref="PolicyEvaluator"/>.
/// </summary>
/// <remarks>
/// The framework's evaluator is created per request and runs every policy through the authorization service (a handler
/// list, a context with a set of pending requirements, one async handler per requirement): on the predict route that
/// cost about as much as reading the request's JSON (tests/Benchmarks/RESULTS.md). The outcome is the same: success,
/// a challenge when the caller is not authenticated, or a forbid naming the requirements not met.
/// </remarks>
public sealed class ServingPolicyEvaluator(IAuthorizationService authorization, ApiKeyRegistry keys, ILogger<ServingPolicyEvaluator> logger, ILogger<ApiKeyAuthenticationHandler> keyLogger)
    : IPolicyEvaluator
{
    // The most key-and-policy answers kept, should a policy provider hand out a new policy object per request.
    internal const int MaxKeyDecisions = 1024;

    private static readonly Task<PolicyAuthorizationResult> Succeeded = Task.FromResult(PolicyAuthorizationResult.Success());
    private static readonly Task<PolicyAuthorizationResult> Challenged = Task.FromResult(PolicyAuthorizationResult.Challenge());
    private static readonly Task<AuthenticateResult> NoResult = Task.FromResult(AuthenticateResult.NoResult());

    private readonly PolicyEvaluator _framework = new(authorization);

    // A key's principal is built once and shared by its requests (ApiKeyRegistry), and a role policy depends on the
    // caller alone: each key's answer to each policy is worked out once (a few keys times three policies).
    private readonly ConcurrentDictionary<(AuthorizationPolicy Policy, ClaimsPrincipal User), IAuthorizationRequirement[]?> _keyDecisions = new();

    /// <summary>How many key-and-policy answers are kept (at most <see cref="MaxKeyDecisions"/>).</summary>
    internal int KeptDecisions => _keyDecisions.Count;

    public Task<AuthenticateResult> AuthenticateAsync(AuthorizationPolicy policy, HttpContext context)
    {
        if (policy.AuthenticationSchemes is [ApiKeyAuthenticationHandler.SchemeName])
        {
            return AuthenticateApiKey(context);
        }

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

    /// <summary>
    /// The API-key scheme alone, checked here rather than through the authentication service (a DI scope, a handler per
    /// request); the outcome is the framework's for one scheme: the key's caller becomes the user, anything else leaves
    /// an anonymous user and no result.
    /// </summary>
    private Task<AuthenticateResult> AuthenticateApiKey(HttpContext context)
    {
        var result = ApiKeyAuthenticationHandler.Authenticate(context.Request, keys, keyLogger);
        if (result.Result is { Succeeded: true, Principal: { } principal })
        {
            context.User = principal;
            return result;
        }

        context.User = new ClaimsPrincipal(new ClaimsIdentity());
        return NoResult;
    }

    public Task<PolicyAuthorizationResult> AuthorizeAsync(AuthorizationPolicy policy, AuthenticateResult authenticationResult, HttpContext context, object? resource)
    {
        if (!IsRolePolicy(policy))
        {
            return _framework.AuthorizeAsync(policy, authenticationResult, context, resource);
        }

        var unmet = KeyDecision(policy, context.User);
        if (unmet is null)
        {
            return Succeeded;
        }

        logger.LogInformation("Authorization failed. These requirements were not met: {Requirements}", string.Join(", ", unmet));
        return authenticationResult.Succeeded
            ? Task.FromResult(PolicyAuthorizationResult.Forbid(AuthorizationFailure.Failed(unmet)))
            : Challenged;
    }

    /// <summary>
    /// <see cref="Unmet"/>, kept per key. The kept answer is looked up first: the dictionary's count takes every one of
    /// its locks, so it is read only when an answer is about to be added.
    /// </summary>
    private IAuthorizationRequirement[]? KeyDecision(AuthorizationPolicy policy, ClaimsPrincipal user)
    {
        if (!keys.Issued(user))
        {
            return Unmet(policy, user);
        }

        if (_keyDecisions.TryGetValue((policy, user), out var kept))
        {
            return kept;
        }

        var unmet = Unmet(policy, user);
        if (_keyDecisions.Count < MaxKeyDecisions)
        {
            _keyDecisions.TryAdd((policy, user), unmet);
        }

        return unmet;
    }

    /// <summary>The requirements of the policy the user does not meet, or null when it meets them all.</summary>
    private static IAuthorizationRequirement[]? Unmet(AuthorizationPolicy policy, ClaimsPrincipal user)
    {
        List<IAuthorizationRequirement>? unmet = null;
        foreach (var requirement in policy.Requirements)
        {
            if (!IsMet(requirement, user))
            {
                (unmet ??= []).Add(requirement);
            }
        }

        return unmet?.ToArray();
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
