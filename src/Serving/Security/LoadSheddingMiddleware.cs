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
/// <remarks>
/// Built once with the app's pipeline, never per request. Without a queue (the default) a slot is one interlocked
/// counter, so the limit costs a request two atomic operations; with a queue, requests go through a
/// <see cref="ConcurrencyLimiter"/>, disposed when the app stops.
/// </remarks>
public sealed class LoadSheddingMiddleware : IDisposable
{
    private const int RetryAfterSeconds = 1;

    private readonly RequestDelegate _next;
    private readonly ConcurrencyLimiter? _queued;
    private readonly RequestRejectionMetrics _metrics;
    private readonly int _limit;
    private int _inProgress;

    public LoadSheddingMiddleware(RequestDelegate next, IOptions<ServingOptions> options, RequestRejectionMetrics metrics, IHostApplicationLifetime lifetime)
    {
        _next = next;
        _metrics = metrics;
        var limits = options.Value.Limits;
        _limit = limits.MaxConcurrentRequests;
        if (_limit > 0 && limits.ConcurrencyQueue > 0)
        {
            _queued = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = _limit,
                QueueLimit = limits.ConcurrencyQueue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
            lifetime.ApplicationStopped.Register(Dispose);
        }
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (_limit <= 0 || context.GetEndpoint()?.Metadata.GetMetadata<LoadSheddingMetadata>() is null)
        {
            return _next(context);
        }

        return _queued is not null ? InvokeQueuedAsync(context, _queued) : InvokeCountedAsync(context);
    }

    private async Task InvokeCountedAsync(HttpContext context)
    {
        if (Interlocked.Increment(ref _inProgress) > _limit)
        {
            Interlocked.Decrement(ref _inProgress);
            await ShedAsync(context);
            return;
        }

        try
        {
            await _next(context);
        }
        finally
        {
            Interlocked.Decrement(ref _inProgress);
        }
    }

    private async Task InvokeQueuedAsync(HttpContext context, ConcurrencyLimiter limiter)
    {
        using var lease = await limiter.AcquireAsync(1, context.RequestAborted);
        if (!lease.IsAcquired)
        {
            await ShedAsync(context);
            return;
        }

        await _next(context);
    }

    private Task ShedAsync(HttpContext context)
    {
        _metrics.Rejected(RequestRejectionMetrics.Overloaded);
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(
            detail: $"The service is at its limit of {_limit} requests in progress (Serving:Limits:MaxConcurrentRequests); retry after {RetryAfterSeconds} s.",
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Overloaded").ExecuteAsync(context);
    }

    public void Dispose() => _queued?.Dispose();
}
