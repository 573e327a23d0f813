using Microsoft.Extensions.Logging.Abstractions;
using MLPipeline.Serving.Observability;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Rollout;
using MLPipeline.Shared.Rollout;
using Prometheus;

namespace MLPipeline.Serving.Tests.Rollout;

/// <summary>The shadow queue on its own: a full queue drops a copy at once and counts it, in the figures and in /metrics.</summary>
public sealed class ShadowQueueTests
{
    [Fact]
    public async Task A_copy_offered_to_a_full_queue_is_dropped_and_counted_without_waiting()
    {
        var metrics = new ServingMetrics();
        var options = Microsoft.Extensions.Options.Options.Create(new ServingOptions { Rollout = { ShadowQueueCapacity = 2 } });

        // Not started: nothing drains the queue, so the third copy finds it full.
        using var scorer = new ShadowScorer(options, metrics, NullLogger<ShadowScorer>.Instance);
        var record = RolloutTransitions.Start("house", "production", "v1", "v2", RolloutMode.Shadow, [100], TimeSpan.FromHours(1), null, new RolloutCriteria(), "test", DateTimeOffset.UtcNow);
        var collector = new RolloutCollector("v1", "v2");
        var route = new RolloutRoute(record, new ModelSlot("house:v2", null!, required: false), collector, 100);

        for (var i = 0; i < 3; i++)
        {
            scorer.Offer(route, null!, "house", "{\"instances\": []}"u8, ShadowAnswer.None);
        }

        collector.ShadowDropped.Should().Be(1);
        using var text = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(text);
        System.Text.Encoding.UTF8.GetString(text.ToArray()).Should().Contain("mlpipeline_rollout_shadow_dropped_total{model=\"house\"} 1");
    }
}
