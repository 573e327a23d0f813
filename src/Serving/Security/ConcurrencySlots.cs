using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using MLPipeline.Serving.Options;

namespace MLPipeline.Serving.Security;

/// <summary>
/// The service's global concurrency limit: at most <see cref="LimitOptions.MaxConcurrentRequests"/> marked requests in
/// progress, <see cref="LimitOptions.ConcurrencyQueue"/> more waiting; the rest get 503 with <c>Retry-After</c> at once,
/// before latency grows for everyone. Taken by <see cref="LoadSheddingMiddleware"/> for most marked routes, and by the
/// predict pipeline itself once a request's body has arrived (<see cref="LoadSheddingMetadata.AfterBody"/>).
/// </summary>
/// <remarks>
/// Without a queue (the default) a slot is one interlocked counter, so the limit costs a request two atomic operations;
/// with a queue, requests go through a <see cref="ConcurrencyLimiter"/>, disposed with the app's services.
/// </remarks>
public sealed class ConcurrencySlots : IDisposable
{
    private const int RetryAfterSeconds = 1;

    private readonly ConcurrencyLimiter? _queued;
    private readonly RequestRejectionMetrics _metrics;
    private readonly int _limit;
    private int _inProgress;

    public ConcurrencySlots(IOptions<ServingOptions> options, RequestRejectionMetrics metrics)
    {
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
        }
    }

    /// <summary>False when the limit is off (<c>MaxConcurrentRequests</c> 0): every request enters.</summary>
    public bool IsLimited => _limit > 0;

    /// <summary>A slot, or a refused one (<see cref="ConcurrencySlot.Entered"/> false) when every slot and queue place is taken.</summary>
    public ValueTask<ConcurrencySlot> EnterAsync(CancellationToken cancellationToken)
    {
        if (_limit <= 0)
        {
            return new(ConcurrencySlot.Unlimited);
        }

        if (_queued is not null)
        {
            return EnterQueuedAsync(_queued, cancellationToken);
        }

        if (Interlocked.Increment(ref _inProgress) > _limit)
        {
            Interlocked.Decrement(ref _inProgress);
            return new(ConcurrencySlot.Refused);
        }

        return new(new ConcurrencySlot(this, lease: null));
    }

    private static async ValueTask<ConcurrencySlot> EnterQueuedAsync(ConcurrencyLimiter limiter, CancellationToken cancellationToken)
    {
        var lease = await limiter.AcquireAsync(1, cancellationToken);
        if (lease.IsAcquired)
        {
            return new ConcurrencySlot(counted: null, lease);
        }

        lease.Dispose();
        return ConcurrencySlot.Refused;
    }

    internal void Leave() => Interlocked.Decrement(ref _inProgress);

    /// <summary>The refusal: 503, <c>Retry-After</c>, problem details, counted as <c>overloaded</c>.</summary>
    public Task ShedAsync(HttpContext context)
    {
        _metrics.Rejected(RequestRejectionMetrics.Overloaded);
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Results.Problem(
            detail: $"The service is at its limit of {_limit} requests in progress (Serving:Limits:MaxConcurrentRequests); retry after {RetryAfterSeconds} s.",
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Overloaded").ExecuteAsync(context);
    }

    public void Dispose() => _queued?.Dispose();
}

/// <summary>One request's place under the concurrency limit; dispose it exactly once, when the answer is written.</summary>
public readonly struct ConcurrencySlot : IDisposable
{
    private readonly ConcurrencySlots? _counted;
    private readonly RateLimitLease? _lease;

    internal ConcurrencySlot(ConcurrencySlots? counted, RateLimitLease? lease)
    {
        _counted = counted;
        _lease = lease;
        Entered = true;
    }

    internal static ConcurrencySlot Unlimited => new(counted: null, lease: null);

    internal static ConcurrencySlot Refused => default;

    /// <summary>False when the request was refused: answer it with <see cref="ConcurrencySlots.ShedAsync"/>.</summary>
    public bool Entered { get; }

    public void Dispose()
    {
        _counted?.Leave();
        _lease?.Dispose();
    }
}
