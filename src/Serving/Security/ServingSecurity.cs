using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using MLPipeline.Serving.Options;

namespace MLPipeline.Serving.Security;

/// <summary>
/// Authentication (API keys and, when configured, Entra ID bearer tokens) and the per-client rate limiter for predict
/// and admin routes. With no key and no authority configured, those routes are open; health and metrics always are.
/// </summary>
public static class ServingSecurity
{
    public const string PredictPolicy = "predict";
    public const string AdminPolicy = "admin";
    public const string RateLimitPolicy = "predict";

    public static bool IsEnabled(ServingOptions options) => options.ApiKeys.Count > 0 || options.Jwt.Enabled;

    public static IServiceCollection AddServingSecurity(this IServiceCollection services, ServingOptions options)
    {
        // The API-key scheme is always registered (with no keys it never authenticates anyone).
        var schemes = new List<string> { ApiKeyAuthenticationHandler.SchemeName };
        var authentication = services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);

        if (options.Jwt.Enabled)
        {
            authentication.AddJwtBearer(jwt =>
            {
                jwt.Authority = options.Jwt.Authority;
                jwt.Audience = options.Jwt.Audience;
                jwt.MapInboundClaims = false;
            });
            schemes.Add(JwtBearerDefaults.AuthenticationScheme);
        }

        services.AddAuthorizationBuilder().AddPolicy(PredictPolicy, policy =>
        {
            if (IsEnabled(options))
            {
                policy.AddAuthenticationSchemes([.. schemes]).RequireAuthenticatedUser();
            }
            else
            {
                policy.RequireAssertion(_ => true);
            }
        }).AddPolicy(AdminPolicy, policy =>
        {
            if (IsEnabled(options))
            {
                policy.AddAuthenticationSchemes([.. schemes]).RequireAuthenticatedUser();
            }
            else
            {
                policy.RequireAssertion(_ => true);
            }
        });

        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await Results.Problem(
                    detail: $"More than {options.RateLimit.PermitsPerSecond} requests per second from this client (Serving:RateLimit).",
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many requests").ExecuteAsync(context.HttpContext);
            };
            limiter.AddPolicy(RateLimitPolicy, context =>
            {
                if (options.RateLimit.PermitsPerSecond == 0)
                {
                    return RateLimitPartition.GetNoLimiter("off");
                }

                // Partition by API key when one is sent (digest only), else by the remote address.
                var key = context.Request.Headers.TryGetValue(ApiKeyAuthenticationHandler.HeaderName, out var apiKey)
                    ? "key:" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(apiKey.ToString())))[..16]
                    : "ip:" + context.Connection.RemoteIpAddress;
                return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(options.RateLimit.PermitsPerSecond, options.RateLimit.Burst),
                    TokensPerPeriod = options.RateLimit.PermitsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
        });

        return services;
    }

    /// <summary>Puts a route group behind the predict policy and the rate limiter.</summary>
    public static TBuilder RequireServingAccess<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(PredictPolicy).RequireRateLimiting(RateLimitPolicy);

}
