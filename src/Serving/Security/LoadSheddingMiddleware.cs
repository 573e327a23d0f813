using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using MLPipeline.Serving.Options;

namespace MLPipeline.Serving.Security;

/// <summary>Marks an endpoint whose requests take one of the global concurrency slots (predict, infer and admin routes).</summary>
public sealed class LoadSheddingMetadata
{
    public static readonly LoadSheddingMetadata Instance = new();

    private LoadSheddingMetadata()
    {
    }
}

/// <summary>
/// The global concurrency limit: at most <see cref="LimitOptions.MaxConcurrentRequests"/> marked requests in progress
/// (from the first byte of the body read to the last byte written), <see cref="LimitOptions.ConcurrencyQueue"/> more
/// waiting; the rest get 503 with <c>Retry-After</c> at once, before latency grows for everyone. It runs after
/// authentication, so only authorized callers can hold a slot. Health, metrics and /v2 health are never marked.
/// </summary>
public sealed class LoadSheddingMiddleware : IMiddleware, IDisposable
{
    private const int RetryAfterSeconds = 1;

    private readonly ConcurrencyLimiter? _limiter;
    private readonly RequestRejectionMetrics _metrics;
    private readonly int _limit;

    public LoadSheddingMiddleware(IOptions<ServingOptions> options, RequestRejectionMetrics metrics)
    {
        _metrics = metrics;
        var limits = options.Value.Limits;
        _limit = limits.MaxConcurrentRequests;
        if (_limit > 0)
        {
            _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = _limit,
                QueueLimit = limits.ConcurrencyQueue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        }
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (_limiter is null || context.GetEndpoint()?.Metadata.GetMetadata<LoadSheddingMetadata>() is null)
        {
            await next(context);
            return;
        }

        using var lease = await _limiter.AcquireAsync(1, context.RequestAborted);
        if (!lease.IsAcquired)
        {
            _metrics.Rejected(RequestRejectionMetrics.Overloaded);
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Results.Problem(
                detail: $"The service is at its limit of {_limit} requests in progress (Serving:Limits:MaxConcurrentRequests); retry after {RetryAfterSeconds} s.",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Overloaded").ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    public void Dispose() => _limiter?.Dispose();
}
