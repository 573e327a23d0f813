using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.RateLimiting;
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

    /// <summary>The application property by which <c>UseAuthentication</c> tells WebApplication it is in place.</summary>
    internal const string AuthenticationMiddlewareSetKey = "__AuthenticationMiddlewareSet";

    public static bool IsEnabled(ServingOptions options) => options.ApiKeys.Count > 0 || options.Jwt.Enabled;

    /// <param name="configuration">The app's configuration; security settings are read once, at start.</param>
    public static IServiceCollection AddServingSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(ServingOptions.Section).Get<ServingOptions>() ?? new ServingOptions();
        options.ApiKeys = ApiKeyConfiguration.Read(configuration);
        services.PostConfigure<ServingOptions>(serving => serving.ApiKeys = ApiKeyConfiguration.Read(configuration));

        services.AddSingleton<ApiKeyRegistry>();
        services.AddSingleton<RequestRejectionMetrics>();
        services.AddSingleton<ConcurrencySlots>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ServingAuthorizationResultHandler>();
        services.AddSingleton<IPolicyEvaluator, ServingPolicyEvaluator>();
        services.AddHostedService<LegacyApiKeyNotice>();

        // With neither keys nor an authority nothing can authenticate, so no scheme is registered at all: ASP.NET Core
        // would otherwise put its authentication middleware in front of every request (a DI scope and a handler each).
        var enabled = IsEnabled(options);
        var schemes = new List<string> { ApiKeyAuthenticationHandler.SchemeName };
        if (enabled)
        {
            services.AddTransient<ApiKeyAuthenticationHandler>();
            // No default scheme to authenticate: the role policies name their schemes, and the policy evaluator
            // authenticates a request when a route needs it (API keys alone without the authentication service).
            // ASP.NET Core would make a single registered scheme the default, and authenticate every request with it.
            AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
            var authentication = services.AddAuthentication(authentication =>
                authentication.AddScheme<ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, displayName: null));
            AddJwt(authentication, options, schemes);
        }

        services.AddSingleton(new SecuritySwitches(enabled, options.RateLimit.PermitsPerSecond > 0));
        services.AddAuthorizationBuilder()
            .AddPolicy(PredictPolicy, policy => RequireRole(policy, enabled, schemes, ServingClaims.PredictRole, ServingClaims.AdminRole))
            .AddPolicy(AdminPolicy, policy => RequireRole(policy, enabled, schemes, ServingClaims.AdminRole));

        services.AddCallerRateLimiting(options.RateLimit);
        services.AddServingForwardedHeaders(options.ForwardedHeaders);
        return services;
    }

    /// <summary>Entra ID (or any OpenID Connect) bearer tokens beside the API keys, when an authority is configured.</summary>
    private static void AddJwt(AuthenticationBuilder authentication, ServingOptions options, List<string> schemes)
    {
        if (!options.Jwt.Enabled)
        {
            return;
        }

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

    /// <summary>
    /// Authentication, authorization, the per-caller rate limiter and the global concurrency limit, in that order. A part
    /// that has nothing to do is not in the pipeline at all: requests are authenticated by the authorization step, for
    /// the routes whose policy asks (with no key and no authority routes carry no policy), and with no rate a request
    /// never meets the limiter. Each would otherwise cost every request a DI scope, a handler and a policy evaluation for
    /// nothing (tests/Benchmarks/RESULTS.md).
    /// </summary>
    public static IApplicationBuilder UseServingSecurity(this IApplicationBuilder app)
    {
        var switches = app.ApplicationServices.GetRequiredService<SecuritySwitches>();
        if (AuthenticationMiddlewareHasWork(app.ApplicationServices))
        {
            app.UseAuthentication();
        }
        else
        {
            // WebApplication puts ASP.NET Core's authentication middleware in front of the whole pipeline whenever an
            // authentication service is registered (the pages' MVC registers one even with security off), unless this
            // key says the app placed it itself. Here it would only cost every request a DI scope (0.5 us in perf).
            app.Properties[AuthenticationMiddlewareSetKey] = true;
        }

        // Always in place: a route that does carry a policy must never run without its check.
        app.UseAuthorization();
        if (switches.RateLimit)
        {
            app.UseRateLimiter();
        }

        return app.UseMiddleware<LoadSheddingMiddleware>();
    }

    /// <summary>
    /// Whether ASP.NET Core's authentication middleware would do anything: it offers each request to the schemes that
    /// handle requests themselves (remote sign-in callbacks) and authenticates the default scheme. The service has
    /// neither: its policies name their schemes (authenticated by the policy evaluator, for the routes that need it),
    /// and the pages' Entra ID callback is an endpoint of its own (<see cref="Ui.UiAuthenticationSchemes"/>).
    /// </summary>
    private static bool AuthenticationMiddlewareHasWork(IServiceProvider services) =>
        services.GetService<IAuthenticationSchemeProvider>() is { } schemes
        && (schemes.GetRequestHandlerSchemesAsync().GetAwaiter().GetResult().Any()
            || schemes.GetDefaultAuthenticateSchemeAsync().GetAwaiter().GetResult() is not null);

    /// <summary>Predict role (or admin), the per-caller rate limiter and the concurrency limit.</summary>
    public static TBuilder RequireServingAccess<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint => AddAccessMetadata(endpoint, PredictPolicy, ServingClaims.PredictRole));
        return builder;
    }

    /// <summary>Admin role, the per-caller rate limiter and the concurrency limit; POSTs only with <c>Content-Type: application/json</c>.</summary>
    public static TBuilder RequireAdminAccess<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint => AddAccessMetadata(endpoint, AdminPolicy, ServingClaims.AdminRole));
        return builder.AddEndpointFilter(JsonOnlyPostFilter.Instance);
    }

    /// <summary>
    /// The route's handler takes its concurrency slot itself, once the request's body has arrived
    /// (<see cref="LoadSheddingMetadata.AfterBody"/>), instead of <see cref="LoadSheddingMiddleware"/> before the body.
    /// </summary>
    public static TBuilder TakesConcurrencySlotAfterBody<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        // Finally runs after every group and route convention, so this marker comes after the access conventions' one:
        // the last marker of a type is the one an endpoint's metadata answers with.
        builder.Finally(endpoint => endpoint.Metadata.Add(LoadSheddingMetadata.AfterBody));
        return builder;
    }

    /// <summary>The policy and the rate-limit policy only when they are on (the switches of the app the route is built in).</summary>
    private static void AddAccessMetadata(EndpointBuilder endpoint, string policy, string role)
    {
        endpoint.Metadata.Add(new RouteRole(role));
        var switches = endpoint.ApplicationServices.GetRequiredService<SecuritySwitches>();
        if (switches.Authentication)
        {
            endpoint.Metadata.Add(new AuthorizeAttribute(policy));
        }

        if (switches.RateLimit)
        {
            endpoint.Metadata.Add(new EnableRateLimitingAttribute(CallerRateLimiting.Policy));
        }

        endpoint.Metadata.Add(LoadSheddingMetadata.Instance);
    }

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

