using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MLPipeline.Serving.Dynamic;
using MLPipeline.Serving.Observability;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;

namespace MLPipeline.Serving.Endpoints;

/// <summary>
/// The predict routes' one code path: resolve the slot, read the body, rent an engine, predict into the engine's buffer,
/// write it, give the engine back. Every refusal becomes problem details; nothing a client sends can become a 500.
/// </summary>
public sealed class PredictHandler(ServingMetrics metrics, IOptions<ServingOptions> options)
{
    public const string VersionHeader = "X-Model-Version";

    public async Task<IResult> HandleAsync(HttpContext context, string name, Func<CancellationToken, Task<ModelSlot>> resolve)
    {
        var started = Stopwatch.GetTimestamp();
        var limits = options.Value.Limits;
        var cancellationToken = context.RequestAborted;
        ModelSlot? slot = null;
        try
        {
            slot = await resolve(cancellationToken);
            using var body = await RequestBody.ReadAsync(context.Request, limits.MaxBodyBytes, cancellationToken);
            var lease = PredictionEnginePool.Rent(slot);
            try
            {
                var output = lease.Engine.StartOutput();
                var rows = InstancesProtocol.Run(body.Span, lease, name, limits.MaxBatchSize, output);
                output.Flush();
                var response = context.Response;
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = "application/json; charset=utf-8";
                response.ContentLength = lease.Engine.OutputBuffer.WrittenCount;
                response.Headers[VersionHeader] = lease.Generation.Version;
                await response.Body.WriteAsync(lease.Engine.OutputBuffer.WrittenMemory, cancellationToken);
                metrics.Predicted(slot.Name, lease.Generation.Version, "instances", rows, Stopwatch.GetElapsedTime(started));
                return Results.Empty;
            }
            finally
            {
                lease.Dispose();
            }
        }
        catch (ServingException ex)
        {
            metrics.Failed(slot?.Name ?? ServingMetrics.UnknownModel, ex.StatusCode);
            return Problems.From(ex);
        }
        catch (JsonException ex)
        {
            metrics.Failed(slot?.Name ?? ServingMetrics.UnknownModel, StatusCodes.Status400BadRequest);
            return Problems.MalformedJson(ex);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own refusals while reading the body (over its size limit, cut short).
            metrics.Failed(slot?.Name ?? ServingMetrics.UnknownModel, ex.StatusCode);
            return Problems.Create(ex.StatusCode, "Bad request body", ex.Message);
        }
    }
}
