using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using MLPipeline.Serving.Options;

namespace MLPipeline.Serving.Security;

/// <summary>
/// Turns a validated token into a serving caller: its identity is the <c>sub</c> claim (else <c>oid</c>), its role the
/// strongest of <see cref="JwtOptions.AdminRole"/> and <see cref="JwtOptions.PredictRole"/> found among its app roles
/// (<c>roles</c>, Entra app roles) and scopes (<c>scp</c>, space-separated). A token with neither role stays
/// authenticated without a role, so it gets 403, not 401.
/// </summary>
public static class JwtRoleMapping
{
    public static void Apply(TokenValidatedContext context, JwtOptions jwt)
    {
        if (context.Principal?.Identity is not ClaimsIdentity identity)
        {
            context.Fail("The token has no identity.");
            return;
        }

        // The service's own claim types are granted here only, never taken from the token.
        foreach (var claim in identity.FindAll(c => c.Type is ServingClaims.Role or ServingClaims.Caller).ToList())
        {
            identity.RemoveClaim(claim);
        }

        var caller = identity.FindFirst("sub")?.Value ?? identity.FindFirst("oid")?.Value;
        if (string.IsNullOrWhiteSpace(caller))
        {
            context.Fail("The token carries neither a sub nor an oid claim.");
            return;
        }

        identity.AddClaim(new Claim(ServingClaims.Caller, caller, ClaimValueTypes.String, JwtBearerDefaults.AuthenticationScheme));
        var granted = identity.FindAll("roles").Select(c => c.Value)
            .Concat(identity.FindAll("scp").SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            .ToHashSet(StringComparer.Ordinal);
        var role = Grants(granted, jwt.AdminRole) ? ServingClaims.AdminRole
            : Grants(granted, jwt.PredictRole) ? ServingClaims.PredictRole
            : null;
        if (role is not null)
        {
            identity.AddClaim(new Claim(ServingClaims.Role, role));
        }
    }

    private static bool Grants(HashSet<string> granted, string? configured) =>
        !string.IsNullOrWhiteSpace(configured) && granted.Contains(configured);
}
