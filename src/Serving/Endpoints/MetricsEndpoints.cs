using MLPipeline.Serving.Observability;

namespace MLPipeline.Serving.Endpoints;

/// <summary><c>GET /metrics</c> in the Prometheus text format (open, like health).</summary>
public static class MetricsEndpoints
{
    public static IEndpointRouteBuilder MapMetricsEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics", async (HttpContext context, ServingMetrics metrics) =>
            {
                context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                await metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
            })
            .WithTags("Health")
            .WithName("Metrics")
            .ExcludeFromDescription();
        return app;
    }
}
