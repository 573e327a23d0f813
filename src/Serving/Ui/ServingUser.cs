using System.Security.Claims;
using MLPipeline.Serving.Security;

namespace MLPipeline.Serving.Ui;

/// <summary>Who the pages say is signed in.</summary>
public static class ServingUser
{
    /// <summary>The caller's id (an API key's id, an Entra user), or null when nobody is signed in (security off).</summary>
    public static string? Describe(ClaimsPrincipal user) => ServingClaims.CallerOf(user)?.Value;
}
