using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Security;

namespace MLPipeline.Serving.OpenApi;

/// <summary>
/// The security schemes the configuration turns on (an API key header when keys are configured, a JWT bearer token
/// when an authority is), and what a route's role asks of a caller under each: the OpenAPI 3.1 role list of a
/// requirement names the service role for API keys and the configured app role or scope for tokens.
/// </summary>
public sealed class OpenApiSecurity(IOptions<ServingOptions> options)
{
    public const string ApiKeyScheme = "ApiKey";
    public const string BearerScheme = "Bearer";

    /// <summary>False when neither keys nor an authority are configured: every route is open (local development).</summary>
    public bool Enabled => ServingSecurity.IsEnabled(options.Value);

    private bool HasApiKeys => options.Value.ApiKeys.Count > 0;

    private JwtOptions Jwt => options.Value.Jwt;

    /// <summary>Adds the configured schemes to the document's components.</summary>
    public void AddSchemes(OpenApiDocument document)
    {
        if (HasApiKeys)
        {
            document.AddComponent<IOpenApiSecurityScheme>(ApiKeyScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyAuthenticationHandler.HeaderName,
                Description = "An API key from Serving:ApiKeys, whose role is listed per operation (an admin key may call "
                    + "every predict route too). `Authorization: ApiKey <key>` is accepted as well.",
            });
        }

        if (Jwt.Enabled)
        {
            document.AddComponent<IOpenApiSecurityScheme>(BearerScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = $"A token from {Jwt.Authority} for the audience {Jwt.Audience}, carrying the app role "
                    + "(`roles` claim) or scope (`scp` claim) listed per operation.",
            });
        }
    }

    /// <summary>
    /// The requirements of a route that needs <paramref name="role"/> (<see cref="ServingClaims.PredictRole"/> or
    /// <see cref="ServingClaims.AdminRole"/>), or of an open route when null: any one configured scheme suffices.
    /// Empty (open) when security is off.
    /// </summary>
    public List<OpenApiSecurityRequirement> Requirements(OpenApiDocument document, string? role)
    {
        var requirements = new List<OpenApiSecurityRequirement>();
        if (role is null)
        {
            return requirements;
        }

        if (HasApiKeys)
        {
            requirements.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [role] });
        }

        if (Jwt.Enabled)
        {
            var claim = role == ServingClaims.AdminRole ? Jwt.AdminRole! : Jwt.PredictRole!;
            requirements.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [claim] });
        }

        return requirements;
    }
}
