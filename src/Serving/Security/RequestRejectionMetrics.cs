using MLPipeline.Serving.Observability;
using Prometheus;

namespace MLPipeline.Serving.Security;

/// <summary><c>mlpipeline_requests_rejected_total{reason}</c>: requests refused before they reach a model, in the service's registry.</summary>
public sealed class RequestRejectionMetrics
{
    public const string Unauthenticated = "unauthenticated";
    public const string Forbidden = "forbidden";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string RateLimited = "rate_limited";
    public const string Overloaded = "overloaded";

    private readonly Counter _rejected;

    public RequestRejectionMetrics(ServingMetrics metrics)
    {
        _rejected = Metrics.WithCustomRegistry(metrics.Registry).CreateCounter(
            "mlpipeline_requests_rejected_total",
            "Requests refused before reaching a model: unauthenticated (401), forbidden (403), unsupported_media_type (415), rate_limited (429), overloaded (503).",
            "reason");

        // Every reason is exported at 0 from the start (the concurrency slots, built with the pipeline, create this class), so
        // rate() and alerts see the series before the first refusal.
        foreach (var reason in new[] { Unauthenticated, Forbidden, UnsupportedMediaType, RateLimited, Overloaded })
        {
            _rejected.WithLabels(reason);
        }
    }

    public void Rejected(string reason) => _rejected.WithLabels(reason).Inc();
}
