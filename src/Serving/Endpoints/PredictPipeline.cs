using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MLPipeline.Serving.Monitoring;
using MLPipeline.Serving.Observability;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Protocols;
using MLPipeline.Serving.Rollout;
using MLPipeline.Serving.Security;

namespace MLPipeline.Serving.Endpoints;

/// <summary>
/// Every prediction route's one code path, whatever the protocol: read the body, take a concurrency slot, resolve the
/// model's slot, rent an engine, let the protocol parse and predict into the engine's buffer, write it, give the engine
/// back. One catch turns every
/// refusal into the protocol's error format with its status, and one metrics path counts it: no body becomes a 500.
/// </summary>
/// <remarks>
/// The hot path of the service: a served model is found without an async step, a body that has fully arrived is read
/// without one, and nothing here allocates per request but the request id a client did not send (one 32-character
/// string). Monitoring costs one field read for a model that is not monitored (tests/Benchmarks/RESULTS.md says what
/// each step cost, and what logging 10% and 100% of requests costs).
/// </remarks>
public sealed class PredictPipeline(ServingMetrics metrics, ModelResolver resolver, IOptions<ServingOptions> options, ConcurrencySlots concurrency, RolloutPredictor rollouts, MonitoringRegistry monitoring)
{
    public const string VersionHeader = "X-Model-Version";

    /// <summary>Predicts with the version <paramref name="name"/> serves now.</summary>
    public Task HandleAsync(HttpContext context, IPredictProtocol protocol, string name) =>
        HandleAsync(context, protocol, name, version: null, alias: null);

    /// <summary>Predicts with one version of a store model, or with the version one of its aliases points at.</summary>
    public async Task HandleAsync(HttpContext context, IPredictProtocol protocol, string name, string? version, string? alias)
    {
        var started = Stopwatch.GetTimestamp();
        var limits = options.Value.Limits;
        var cancellationToken = context.RequestAborted;
        ModelSlot? slot = null;
        IResult refusal;
        try
        {
            var requestId = PredictionIds.For(context.Request);
            context.Response.Headers[PredictionIds.Header] = requestId;

            // The body first, then a concurrency slot: a client still sending its body holds none (a slow sender would
            // otherwise keep one for as long as Kestrel's minimum data rate allows).
            using var body = await RequestBody.ReadAsync(context.Request, limits.MaxBodyBytes, cancellationToken);
            using var admitted = await concurrency.EnterAsync(cancellationToken);
            if (!admitted.Entered)
            {
                await concurrency.ShedAsync(context);
                return;
            }

            slot = version is not null ? await resolver.VersionAsync(name, version, cancellationToken)
                : alias is not null ? await resolver.AliasAsync(name, alias, cancellationToken)
                : resolver.Served(name);
            if (slot.Rollout is { } rollout)
            {
                // The one branch a rollout adds: a model in none pays this null check only.
                await rollouts.HandleAsync(context, protocol, name, body, slot, rollout, limits, started);
                return;
            }

            using var lease = PredictionEnginePool.Rent(slot);
            var output = lease.Response.Start();
            var rows = protocol.Run(body.Memory, lease, name, requestId, limits.MaxBatchSize, output);
            output.Flush();
            if (monitoring.IsActive && lease.Generation.Onnx is null && monitoring.For(name) is { } monitor)
            {
                // Copies the monitored rows off the engine and queues them; never waits. (An imported ONNX model has no
                // ML.NET engine whose rows could be copied: it is not monitored yet.) Under the model's name, not the
                // slot's: a version loaded on demand has a slot of its own ("name:version"), and is monitored as the
                // version of its model that it is.
                monitor.Observe(requestId, lease.Generation, lease.Engine.Rows, lease.Engine.Outputs, Stopwatch.GetElapsedTime(started));
            }

            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = lease.Response.Buffer.WrittenCount;
            response.Headers[VersionHeader] = lease.Generation.Version;
            await response.BodyWriter.WriteAsync(lease.Response.Buffer.WrittenMemory, cancellationToken);
            metrics.Predicted(slot.Name, lease.Generation.Version, protocol.Name, rows, Stopwatch.GetElapsedTime(started));
            return;
        }
        catch (ServingException ex)
        {
            refusal = Refuse(protocol, slot, Problems.StatusOf(ex), ex.Title, ex.Message, ex.Field);
        }
        catch (JsonException ex)
        {
            refusal = Refuse(protocol, slot, StatusCodes.Status400BadRequest, "Malformed JSON", Problems.MalformedJsonDetail(ex), "$");
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own refusals while reading the body (over its size limit, cut short).
            refusal = Refuse(protocol, slot, ex.StatusCode, "Bad request body", ex.Message, null);
        }

        await refusal.ExecuteAsync(context);
    }

    private IResult Refuse(IPredictProtocol protocol, ModelSlot? slot, int status, string title, string detail, string? field)
    {
        metrics.Failed(slot?.Name ?? ServingMetrics.UnknownModel, status);
        return protocol.Refuse(status, title, detail, field);
    }
}
