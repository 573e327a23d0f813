using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using MLPipeline.Serving.Options;

namespace MLPipeline.Serving.Security;

/// <summary>
/// The per-caller token bucket. It runs after authorization, so a caller is partitioned by the identity a scheme
/// verified (API key id, JWT subject), never by a header it merely sent: a request with an unknown key is refused
/// with 401 before it could get a bucket of its own. With auth off, the partition is the client address as the
/// forwarded-headers step left it (IPv6 by /64, the block one client usually holds).
/// </summary>
public static class CallerRateLimiting
{
    public const string Policy = "per-caller";

    public static IServiceCollection AddCallerRateLimiting(this IServiceCollection services, RateLimitOptions settings)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                var http = context.HttpContext;
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                http.RequestServices.GetRequiredService<RequestRejectionMetrics>().Rejected(RequestRejectionMetrics.RateLimited);
                await Results.Problem(
                    detail: $"More than {settings.PermitsPerSecond} requests per second from this caller (Serving:RateLimit); retry after {seconds} s.",
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many requests").ExecuteAsync(http);
            };
            limiter.AddPolicy(Policy, context => Partition(context, settings));
        });
        return services;
    }

    private static RateLimitPartition<string> Partition(HttpContext context, RateLimitOptions settings)
    {
        if (settings.PermitsPerSecond == 0)
        {
            return RateLimitPartition.GetNoLimiter("off");
        }

        var caller = ServingClaims.PartitionOf(context.User) ?? "address:" + AddressKey(context.Connection.RemoteIpAddress);
        return RateLimitPartition.GetTokenBucketLimiter(caller, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(settings.PermitsPerSecond, settings.Burst),
            TokensPerPeriod = settings.PermitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static string AddressKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        // One IPv6 client usually holds a whole /64: counting single addresses would let it rotate past the limit.
        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? new IPNetwork(address, 64).BaseAddress + "/64"
            : address.ToString();
    }
}
