using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Security;

namespace MLPipeline.Serving.Ui;

/// <summary>
/// How a browser gets the admin role for the pages: a sign-in cookie, issued for an admin API key typed into the
/// sign-in form or, with an Entra ID application configured, after an OpenID Connect login whose user holds the admin
/// app role. A request that carries a key or a bearer token itself (scripts, tests) is authenticated by that instead.
/// These schemes are never the default: only the pages' policy asks for them, so predict requests never touch them.
/// </summary>
public static class UiAuthentication
{
    public const string Policy = "ui";
    public const string CookieScheme = "UiCookie";
    public const string OidcScheme = "UiOidc";
    public const string CookieName = "mlpipeline-ui";
    public const string SignInPath = "/ui/signin";
    public const string OidcCallbackPath = "/ui/signin-oidc";

    /// <summary>Picks the cookie, or the key or token the request carries.</summary>
    private const string SelectorScheme = "Ui";

    public static void Add(IServiceCollection services, ServingOptions options)
    {
        var enabled = ServingSecurity.IsEnabled(options);
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy =>
        {
            if (enabled)
            {
                policy.AddAuthenticationSchemes(SelectorScheme).RequireAuthenticatedUser().RequireClaim(ServingClaims.Role, ServingClaims.AdminRole);
            }
            else
            {
                policy.RequireAssertion(_ => true);
            }
        });

        // Security off: the pages are open like every route, and nothing is registered that could authenticate.
        if (!enabled)
        {
            return;
        }

        var authentication = services.AddAuthentication()
            .AddPolicyScheme(SelectorScheme, null, selector => selector.ForwardDefaultSelector = context => SchemeFor(context.Request, options.Jwt.Enabled))
            .AddCookie(CookieScheme, cookie =>
            {
                cookie.Cookie.Name = CookieName;
                cookie.Cookie.Path = "/ui";
                cookie.Cookie.HttpOnly = true;
                // Lax, not Strict: the Entra login comes back by a cross-site form post, then a redirect to the page.
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.ExpireTimeSpan = options.Ui.SignInLifetime;
                cookie.SlidingExpiration = true;
                cookie.LoginPath = SignInPath;
                cookie.Events.OnValidatePrincipal = RejectSignInsOfRemovedKeys;
            });

        if (options.Jwt.Enabled && !string.IsNullOrWhiteSpace(options.Ui.OidcClientId))
        {
            services.AddSingleton<IAuthenticationSchemeProvider, UiAuthenticationSchemes>();
            authentication.AddOpenIdConnect(OidcScheme, oidc =>
            {
                oidc.Authority = options.Jwt.Authority;
                oidc.ClientId = options.Ui.OidcClientId;
                oidc.ClientSecret = options.Ui.OidcClientSecret;
                // Without a secret the ID token comes back by form post; with one, the code flow.
                oidc.ResponseType = string.IsNullOrWhiteSpace(options.Ui.OidcClientSecret) ? OpenIdConnectResponseType.IdToken : OpenIdConnectResponseType.Code;
                oidc.ResponseMode = OpenIdConnectResponseMode.FormPost;
                oidc.CallbackPath = OidcCallbackPath;
                oidc.SignInScheme = CookieScheme;
                oidc.MapInboundClaims = false;
                oidc.Events.OnTokenValidated = context =>
                {
                    GrantRole(context, options.Jwt);
                    return Task.CompletedTask;
                };
            });
        }

    }

    /// <summary>Entra ID posts the ID token (or code) here; the OpenID Connect handler signs the person in and redirects.</summary>
    public static async Task HandleOidcCallbackAsync(HttpContext context)
    {
        var handlers = context.RequestServices.GetService<IAuthenticationHandlerProvider>();
        if (handlers is null || await handlers.GetHandlerAsync(context, OidcScheme) is not IAuthenticationRequestHandler handler || !await handler.HandleRequestAsync())
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    /// <summary>The principal the sign-in cookie carries for an admin key: its id and role, never the key.</summary>
    public static ClaimsPrincipal KeyPrincipal(string keyId) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, keyId),
            new Claim(ServingClaims.Caller, keyId, ClaimValueTypes.String, ApiKeyAuthenticationHandler.SchemeName),
            new Claim(ServingClaims.Role, ServingClaims.AdminRole),
        ],
        CookieScheme));

    /// <summary>Who the alias files record for a move made through the pages.</summary>
    public static string MoverOf(ClaimsPrincipal user) =>
        ServingClaims.CallerOf(user) is { } caller ? $"{caller.Value} (web page, {caller.Issuer})" : $"{Environment.UserName}@{Environment.MachineName} (web page)";

    private static string SchemeFor(HttpRequest request, bool jwt)
    {
        if (request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
            || request.Headers.Authorization.ToString().StartsWith(ApiKeyAuthenticationHandler.SchemeName + " ", StringComparison.OrdinalIgnoreCase))
        {
            return ApiKeyAuthenticationHandler.SchemeName;
        }

        return jwt && request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? JwtBearerDefaults.AuthenticationScheme
            : CookieScheme;
    }

    /// <summary>A cookie issued for a key that is no longer configured, or no longer admin, signs nobody in.</summary>
    private static async Task RejectSignInsOfRemovedKeys(CookieValidatePrincipalContext context)
    {
        if (context.Principal is { } principal && ServingClaims.CallerOf(principal) is { Issuer: ApiKeyAuthenticationHandler.SchemeName } caller
            && context.HttpContext.RequestServices.GetRequiredService<ApiKeyRegistry>().RoleOfId(caller.Value) != ServingClaims.AdminRole)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieScheme);
        }
    }

    /// <summary>The Entra user's app roles (<c>roles</c>) decide, as for bearer tokens: admin gets the pages, anyone else a 403 page.</summary>
    private static void GrantRole(Microsoft.AspNetCore.Authentication.OpenIdConnect.TokenValidatedContext context, JwtOptions jwt)
    {
        if (context.Principal?.Identity is not ClaimsIdentity identity)
        {
            context.Fail("The ID token has no identity.");
            return;
        }

        foreach (var claim in identity.FindAll(c => c.Type is ServingClaims.Role or ServingClaims.Caller).ToList())
        {
            identity.RemoveClaim(claim);
        }

        var caller = identity.FindFirst("preferred_username")?.Value ?? identity.FindFirst("oid")?.Value ?? identity.FindFirst("sub")?.Value;
        if (string.IsNullOrWhiteSpace(caller))
        {
            context.Fail("The ID token carries no preferred_username, oid or sub claim.");
            return;
        }

        identity.AddClaim(new Claim(ServingClaims.Caller, caller, ClaimValueTypes.String, OidcScheme));
        if (identity.FindAll("roles").Any(r => r.Value == jwt.AdminRole))
        {
            identity.AddClaim(new Claim(ServingClaims.Role, ServingClaims.AdminRole));
        }
    }
}
