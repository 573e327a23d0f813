using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace MLPipeline.Serving.Security;

/// <summary>
/// Accepts <c>X-Api-Key: &lt;key&gt;</c> or <c>Authorization: ApiKey &lt;key&gt;</c>. The caller gets the key's id as its
/// identity and the key's role; the secret itself never leaves this class.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyRegistry keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? presented = null;
        if (Request.Headers.TryGetValue(HeaderName, out var header))
        {
            presented = header.ToString();
        }
        else if (Request.Headers.Authorization.ToString() is { } authorization
            && authorization.StartsWith(SchemeName + " ", StringComparison.OrdinalIgnoreCase))
        {
            presented = authorization[(SchemeName.Length + 1)..].Trim();
        }

        if (string.IsNullOrEmpty(presented) || keys.IsEmpty)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (keys.Find(presented) is not { } key)
        {
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, key.Id), new Claim(ServingClaims.Caller, key.Id, ClaimValueTypes.String, SchemeName), new Claim(ServingClaims.Role, key.Role)],
            SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{HeaderName}\"";
        return base.HandleChallengeAsync(properties);
    }
}
