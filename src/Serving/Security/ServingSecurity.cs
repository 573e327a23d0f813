using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using MLPipeline.Serving.Options;

namespace MLPipeline.Serving.Security;

/// <summary>
/// Authentication (API keys and, when configured, Entra ID bearer tokens), the two roles (predict, admin), the
/// per-caller rate limiter, the global concurrency limit and forwarded headers. With no key and no authority
/// configured, predict and admin routes are open (local development); health and metrics always are.
/// </summary>
public static class ServingSecurity
{
    public const string PredictPolicy = "predict";
    public const string AdminPolicy = "admin";

    public static bool IsEnabled(ServingOptions options) => options.ApiKeys.Count > 0 || options.Jwt.Enabled;

    /// <param name="configuration">The app's configuration; security settings are read once, at start.</param>
    public static IServiceCollection AddServingSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(ServingOptions.Section).Get<ServingOptions>() ?? new ServingOptions();
        options.ApiKeys = ApiKeyConfiguration.Read(configuration);
        services.PostConfigure<ServingOptions>(serving => serving.ApiKeys = ApiKeyConfiguration.Read(configuration));

        services.AddSingleton<ApiKeyRegistry>();
        services.AddSingleton<RequestRejectionMetrics>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ServingAuthorizationResultHandler>();
        services.AddSingleton<LoadSheddingMiddleware>();
        services.AddHostedService<LegacyApiKeyNotice>();

        // The API-key scheme is always registered (with no keys it never authenticates anyone).
        var schemes = new List<string> { ApiKeyAuthenticationHandler.SchemeName };
        var authentication = services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        if (options.Jwt.Enabled)
        {
            var jwtSettings = options.Jwt;
            authentication.AddJwtBearer(jwt =>
            {
                jwt.Authority = jwtSettings.Authority;
                jwt.Audience = jwtSettings.Audience;
                jwt.MapInboundClaims = false;
                jwt.Events = new JwtBearerEvents
                {
                    OnTokenValidated = context =>
                    {
                        JwtRoleMapping.Apply(context, jwtSettings);
                        return Task.CompletedTask;
                    },
                };
            });
            schemes.Add(JwtBearerDefaults.AuthenticationScheme);
        }

        var enabled = IsEnabled(options);
        services.AddAuthorizationBuilder()
            .AddPolicy(PredictPolicy, policy => RequireRole(policy, enabled, schemes, ServingClaims.PredictRole, ServingClaims.AdminRole))
            .AddPolicy(AdminPolicy, policy => RequireRole(policy, enabled, schemes, ServingClaims.AdminRole));

        services.AddCallerRateLimiting(options.RateLimit);
        services.AddServingForwardedHeaders(options.ForwardedHeaders);
        return services;
    }

    /// <summary>The global concurrency limit, after authentication and the per-caller limiter.</summary>
    public static IApplicationBuilder UseLoadShedding(this IApplicationBuilder app) => app.UseMiddleware<LoadSheddingMiddleware>();

    /// <summary>Predict role (or admin), the per-caller rate limiter and the concurrency limit.</summary>
    public static TBuilder RequireServingAccess<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(PredictPolicy).RequireRateLimiting(CallerRateLimiting.Policy).WithMetadata(LoadSheddingMetadata.Instance);

    /// <summary>Admin role, the per-caller rate limiter and the concurrency limit; POSTs only with <c>Content-Type: application/json</c>.</summary>
    public static TBuilder RequireAdminAccess<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(AdminPolicy).RequireRateLimiting(CallerRateLimiting.Policy).WithMetadata(LoadSheddingMetadata.Instance)
            .AddEndpointFilter(JsonOnlyPostFilter.Instance);

    private static void RequireRole(AuthorizationPolicyBuilder policy, bool enabled, List<string> schemes, params string[] roles)
    {
        if (enabled)
        {
            policy.AddAuthenticationSchemes([.. schemes]).RequireAuthenticatedUser().RequireClaim(ServingClaims.Role, roles);
        }
        else
        {
            policy.RequireAssertion(_ => true);
        }
    }
}
