using MLPipeline.Serving.Observability;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Security;

namespace MLPipeline.Serving.Tests;

/// <summary>The concurrency limit's slots: counted without a queue, through the limiter with one, and off at 0.</summary>
public sealed class ConcurrencySlotsTests
{
    private static ConcurrencySlots Slots(int limit, int queue) => new(
        Microsoft.Extensions.Options.Options.Create(new ServingOptions { Limits = new LimitOptions { MaxConcurrentRequests = limit, ConcurrencyQueue = queue } }),
        new RequestRejectionMetrics(new ServingMetrics()));

    [Fact]
    public async Task Without_a_queue_a_slot_is_refused_at_once_when_all_are_taken_and_given_back_on_dispose()
    {
        using var slots = Slots(limit: 2, queue: 0);
        var first = await slots.EnterAsync(CancellationToken.None);
        var second = await slots.EnterAsync(CancellationToken.None);
        var refused = await slots.EnterAsync(CancellationToken.None);

        first.Entered.Should().BeTrue();
        second.Entered.Should().BeTrue();
        refused.Entered.Should().BeFalse();
        refused.Dispose(); // a refused slot gives nothing back

        first.Dispose();
        using var again = await slots.EnterAsync(CancellationToken.None);
        again.Entered.Should().BeTrue("the first slot was given back");
        (await slots.EnterAsync(CancellationToken.None)).Entered.Should().BeFalse("the refused slot's dispose gave back no slot");
        second.Dispose();
    }

    [Fact]
    public async Task With_a_queue_a_request_waits_for_a_slot_and_the_one_past_the_queue_is_refused()
    {
        using var slots = Slots(limit: 1, queue: 1);
        var held = await slots.EnterAsync(CancellationToken.None);
        var waiting = slots.EnterAsync(CancellationToken.None).AsTask();
        var refused = await slots.EnterAsync(CancellationToken.None);

        held.Entered.Should().BeTrue();
        waiting.IsCompleted.Should().BeFalse("the one queue place waits for the slot");
        refused.Entered.Should().BeFalse();

        held.Dispose();
        using var next = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        next.Entered.Should().BeTrue();
    }

    [Fact]
    public async Task At_zero_the_limit_is_off()
    {
        using var slots = Slots(limit: 0, queue: 0);
        slots.IsLimited.Should().BeFalse();
        for (var i = 0; i < 1000; i++)
        {
            (await slots.EnterAsync(CancellationToken.None)).Entered.Should().BeTrue();
        }
    }
}
