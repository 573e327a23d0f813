using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using MLPipeline.Serving.Observability;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Protocols;

namespace MLPipeline.Serving.Rollout;

/// <summary>
/// Shadow copies, scored by the candidate off the request path: a bounded queue (a full queue drops the copy and
/// counts it, the caller never waits) and one worker that scores each copy and compares it with stable's answer.
/// Nothing here can change a caller's answer, status or latency beyond copying the body.
/// </summary>
public sealed partial class ShadowScorer(IOptions<ServingOptions> options, ServingMetrics metrics, ILogger<ShadowScorer> logger) : BackgroundService
{
    private readonly Channel<ShadowCopy> _copies = Channel.CreateBounded<ShadowCopy>(new BoundedChannelOptions(Math.Max(1, options.Value.Rollout.ShadowQueueCapacity))
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    /// <summary>Queues a copy of the request for the candidate, or drops it (counted) when the queue is full.</summary>
    public void Offer(RolloutRoute route, IPredictProtocol protocol, string name, ReadOnlySpan<byte> body, ShadowAnswer stable)
    {
        var copy = ArrayPool<byte>.Shared.Rent(body.Length);
        body.CopyTo(copy);
        if (!_copies.Writer.TryWrite(new ShadowCopy(route, protocol, name, copy, body.Length, stable)))
        {
            ArrayPool<byte>.Shared.Return(copy);
            route.Collector.Dropped();
            metrics.ShadowDropped(name);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var maxBatch = options.Value.Limits.MaxBatchSize;
        try
        {
            await foreach (var copy in _copies.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    Score(copy, maxBatch);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // A copy that cannot even be compared is lost, never the worker (nor the host).
                    LogCandidateFailed(logger, copy.Name, copy.Route.Record.Candidate, ex.Message);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(copy.Body);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: copies still queued are dropped.
        }
    }

    private void Score(ShadowCopy copy, int maxBatch)
    {
        var route = copy.Route;
        var started = Stopwatch.GetTimestamp();
        DynamicLease lease;
        try
        {
            lease = PredictionEnginePool.Rent(route.Candidate);
        }
        catch (ServingException)
        {
            // The candidate was unloaded (the rollout ended) while the copy waited: nothing to judge.
            return;
        }

        using (lease)
        {
            try
            {
                var output = lease.Response.Start();
                copy.Protocol.Run(copy.Body.AsMemory(0, copy.Length), lease, copy.Name, "shadow", maxBatch, output);
                output.Flush();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Stable answered this very body, so the candidate's failure is the candidate's.
                route.Collector.Failed(route.Record.Candidate);
                LogCandidateFailed(logger, copy.Name, route.Record.Candidate, ex.Message);
                return;
            }

            var outputs = RolloutPredictor.OutputsOf(lease);
            route.Collector.Answered(lease.Generation.Version, Stopwatch.GetElapsedTime(started).TotalMilliseconds, outputs);
            if (outputs is not null)
            {
                route.Collector.Compared(outputs, copy.Stable);
            }
        }
    }

    private sealed record ShadowCopy(RolloutRoute Route, IPredictProtocol Protocol, string Name, byte[] Body, int Length, ShadowAnswer Stable);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Model {Model}: shadow candidate {Version} failed a copy stable answered: {Error}")]
    private static partial void LogCandidateFailed(ILogger logger, string model, string version, string error);
}
