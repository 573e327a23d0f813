using MLPipeline.Serving.Ui;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests.Ui;

/// <summary>The pages' store cache: stale values at once while a refresh runs, a wait only after an invalidation, a failed refresh keeps the last value.</summary>
public sealed class StaleWhileRefreshTests
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_stale_value_is_returned_at_once_while_one_refresh_reads_the_store_in_the_background()
    {
        var clock = new ManualClock();
        var reads = 0;
        var release = new TaskCompletionSource();
        var cache = new StaleWhileRefresh<string>(
            async _ =>
            {
                var n = Interlocked.Increment(ref reads);
                if (n > 1)
                {
                    await release.Task;
                }

                return $"read {n}";
            },
            Fresh,
            clock);

        (await cache.GetAsync()).Value.Should().Be("read 1");
        clock.Advance(TimeSpan.FromSeconds(5));
        (await cache.GetAsync()).Value.Should().Be("read 1", "still fresh: no read");
        reads.Should().Be(1);

        clock.Advance(TimeSpan.FromSeconds(6));
        (await cache.GetAsync()).Value.Should().Be("read 1", "stale, but the refresh is not waited for");
        (await cache.GetAsync()).Value.Should().Be("read 1");
        await Eventually.TrueAsync(() => Volatile.Read(ref reads) == 2, TimeSpan.FromSeconds(10), "the background refresh started");
        release.SetResult();
        await Eventually.ValueAsync(async () => (await cache.GetAsync()).Value, value => value == "read 2", TimeSpan.FromSeconds(10));
        reads.Should().Be(2, "callers during a refresh share it");
    }

    [Fact]
    public async Task After_an_invalidation_the_next_caller_waits_for_a_new_read()
    {
        var reads = 0;
        var cache = new StaleWhileRefresh<string>(_ => Task.FromResult($"read {Interlocked.Increment(ref reads)}"), Fresh, new ManualClock());
        (await cache.GetAsync()).Value.Should().Be("read 1");

        cache.Invalidate();

        (await cache.GetAsync()).Value.Should().Be("read 2");
    }

    [Fact]
    public async Task A_failed_refresh_keeps_the_last_value_and_says_why_and_a_failed_first_read_throws()
    {
        var clock = new ManualClock();
        var fail = false;
        var cache = new StaleWhileRefresh<string>(_ => fail ? throw new InvalidOperationException("store down") : Task.FromResult("good"), Fresh, clock);
        (await cache.GetAsync()).Value.Should().Be("good");

        fail = true;
        cache.Invalidate();
        var kept = await cache.GetAsync();
        kept.Value.Should().Be("good");
        kept.RefreshError.Should().Be("store down");

        var empty = new StaleWhileRefresh<string>(_ => throw new InvalidOperationException("store down"), Fresh, clock);
        await FluentActions.Awaiting(empty.GetAsync).Should().ThrowAsync<InvalidOperationException>().WithMessage("store down");
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
