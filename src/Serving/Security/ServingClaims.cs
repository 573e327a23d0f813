using System.Security.Claims;

namespace MLPipeline.Serving.Security;

/// <summary>
/// The claims every authenticated caller carries, whatever the scheme: its role and a stable identity (the API key's
/// id, the JWT subject). Types of the service's own, removed from tokens first, so an issuer's claims cannot pose as them.
/// </summary>
public static class ServingClaims
{
    public const string Role = "mlpipeline/role";
    public const string Caller = "mlpipeline/caller";

    public const string PredictRole = "predict";
    public const string AdminRole = "admin";

    public static bool IsRole(string? value) => value is PredictRole or AdminRole;

    /// <summary>The caller claim (its issuer is the scheme that granted it), or null when no scheme authenticated the caller.</summary>
    public static Claim? CallerOf(ClaimsPrincipal user)
    {
        foreach (var identity in user.Identities)
        {
            if (identity.IsAuthenticated && identity.FindFirst(Caller) is { } caller)
            {
                return caller;
            }
        }

        return null;
    }

    /// <summary>The caller as a rate-limit partition, scheme first (<c>ApiKey:ci-predict</c>), so an id and a subject never collide.</summary>
    public static string? PartitionOf(ClaimsPrincipal user) => CallerOf(user) is { } caller ? caller.Issuer + ":" + caller.Value : null;

    /// <summary>The strongest role any of the caller's identities holds, or null.</summary>
    public static string? RoleOf(ClaimsPrincipal user) =>
        user.HasClaim(Role, AdminRole) ? AdminRole : user.HasClaim(Role, PredictRole) ? PredictRole : null;
}
