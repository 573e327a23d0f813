using System.Diagnostics;
using MLPipeline.Serving.Dynamic;
using MLPipeline.Serving.Endpoints;
using MLPipeline.Serving.Monitoring;
using MLPipeline.Serving.Observability;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Protocols;

namespace MLPipeline.Serving.Rollout;

/// <summary>
/// The predict path of a model in a rollout (the predict pipeline's one branch for it): pick the version, answer,
/// count the figures; a candidate that fails a request the stable version can answer is counted as the candidate's
/// error and the caller gets stable's answer. In shadow mode stable answers and a copy goes to the shadow queue.
/// Refusals (bad input, too large) propagate to the pipeline like on every other path. The answer is monitored under
/// the version that gave it, so feedback measures each version's live quality (a rollout criterion).
/// </summary>
public sealed partial class RolloutPredictor(ServingMetrics metrics, ShadowScorer shadow, MonitoringRegistry monitoring, ILogger<RolloutPredictor> logger)
{
    /// <param name="body">The request's body, read (and disposed) by the pipeline before it took a concurrency slot.</param>
    internal async Task HandleAsync(HttpContext context, IPredictProtocol protocol, string name, RequestBody body, ModelSlot stable, RolloutRoute route, LimitOptions limits, long started)
    {
        var cancellationToken = context.RequestAborted;
        var picked = route.Picks(context.Request);
        var requestId = RequestId(context);
        DynamicLease? answered = null;
        var rows = 0;
        var candidateFailed = false;
        if (picked && !route.IsShadow && route.Candidate.Current is not null)
        {
            try
            {
                answered = Run(route.Candidate, body.Memory, protocol, name, requestId, limits.MaxBatchSize, route, out rows);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && !cancellationToken.IsCancellationRequested)
            {
                candidateFailed = true;
                LogCandidateFailed(logger, name, route.Record.Candidate, ex.Message);
            }
        }

        // Stable answers everything the candidate does not; its refusals are the caller's (the request was bad for both).
        var lease = answered ?? Run(stable, body.Memory, protocol, name, requestId, limits.MaxBatchSize, route, out rows);
        using (lease)
        {
            if (candidateFailed)
            {
                route.Collector.Failed(route.Record.Candidate);
            }

            if (monitoring.IsActive && OutputsOf(lease) is { } answers && monitoring.For(stable.Name) is { } monitor)
            {
                monitor.Observe(requestId, lease.Generation, lease.Engine.Rows, answers, Stopwatch.GetElapsedTime(started));
            }

            if (picked && route.IsShadow)
            {
                shadow.Offer(route, protocol, name, body.Span, OutputsOf(lease) is { } outputs ? ShadowAnswer.Of(outputs) : ShadowAnswer.None);
            }

            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = lease.Response.Buffer.WrittenCount;
            response.Headers[PredictPipeline.VersionHeader] = lease.Generation.Version;
            await response.BodyWriter.WriteAsync(lease.Response.Buffer.WrittenMemory, cancellationToken);
            metrics.Predicted(stable.Name, lease.Generation.Version, protocol.Name, rows, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>The request's id, which the predict pipeline set on the response before handing the request over.</summary>
    private static string RequestId(HttpContext context) => context.Response.Headers[PredictionIds.Header].ToString();

    /// <summary>Rents from the slot, parses, scores and writes the answer into the engine's buffer; the lease is the caller's to dispose.</summary>
    private static DynamicLease Run(ModelSlot slot, ReadOnlyMemory<byte> body, IPredictProtocol protocol, string name, string requestId, int maxBatch, RolloutRoute route, out int rows)
    {
        var started = Stopwatch.GetTimestamp();
        var lease = PredictionEnginePool.Rent(slot);
        try
        {
            var output = lease.Response.Start();
            rows = protocol.Run(body, lease, name, requestId, maxBatch, output);
            output.Flush();
            route.Collector.Answered(lease.Generation.Version, Stopwatch.GetElapsedTime(started).TotalMilliseconds, OutputsOf(lease));
            return lease;
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <summary>The rows' answers of an ML.NET version; an imported ONNX model's version has none to read (its figures count requests and time only).</summary>
    internal static BatchOutputs? OutputsOf(DynamicLease lease) => lease.Generation.Onnx is null ? lease.Engine.Outputs : null;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Model {Model}: candidate {Version} failed a request; stable answers it: {Error}")]
    private static partial void LogCandidateFailed(ILogger logger, string model, string version, string error);
}
