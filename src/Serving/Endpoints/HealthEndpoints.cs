using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MLPipeline.Serving.Pool;

namespace MLPipeline.Serving.Endpoints;

/// <summary><c>GET /healthz/live</c> (the process answers) and <c>GET /healthz/ready</c> (every configured model is loaded).</summary>
public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static IHealthChecksBuilder AddModelHealthChecks(this IServiceCollection services) =>
        services.AddHealthChecks().AddCheck<ModelsLoadedHealthCheck>("models", tags: [ReadyTag]);

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = _ => false }).WithTags("Health");
        app.MapHealthChecks("/healthz/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) }).WithTags("Health");
        return app;
    }

    private sealed class ModelsLoadedHealthCheck(PredictionEnginePool pool) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (pool.IsReady)
            {
                return Task.FromResult(HealthCheckResult.Healthy($"{pool.Models.Count} model(s) loaded."));
            }

            var waiting = pool.Models.Where(s => s.Current is null).Select(s => s.Name).ToList();
            return Task.FromResult(HealthCheckResult.Unhealthy(
                pool.Models.Count == 0 ? "No model is configured or found yet." : $"Not loaded yet: {string.Join(", ", waiting)}."));
        }
    }
}
