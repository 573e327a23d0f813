using MLPipeline.Serving.Monitoring;
using MLPipeline.Shared.Monitoring;

namespace MLPipeline.Serving.Tests.Monitoring;

/// <summary>The join window holds what its settings say, whatever order feedback comes in.</summary>
public sealed class JoinWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static PredictedValue Value(float score) => new(score, float.NaN, null, null);

    [Fact]
    public void One_prediction_never_joined_does_not_make_the_window_keep_every_later_one_that_was()
    {
        var window = new JoinWindow(capacity: 10, TimeSpan.FromDays(1));
        window.Add("never-joined", Value(0), T0);

        // Every later prediction gets its feedback at once: nothing waits but the first one.
        for (var i = 0; i < 100_000; i++)
        {
            window.Add($"p{i}", Value(i), T0.AddMilliseconds(i));
            window.Take($"p{i}", T0.AddMilliseconds(i)).Should().NotBeNull();
        }

        window.Count.Should().Be(1);
        window.Tracked.Should().BeLessThanOrEqualTo(2 * 10 + 16, "ids already joined are not kept behind the one still waiting");
        window.Take("never-joined", T0.AddMinutes(5))!.Score.Should().Be(0);
    }

    [Fact]
    public void An_id_sent_again_after_it_joined_waits_its_own_full_age()
    {
        var window = new JoinWindow(capacity: 10, TimeSpan.FromMinutes(10));
        window.Add("waiting", Value(0), T0);
        window.Add("order-1", Value(1), T0.AddMinutes(1));
        window.Take("order-1", T0.AddMinutes(2)).Should().NotBeNull();
        window.Add("order-1", Value(2), T0.AddMinutes(9));

        window.Take("order-1", T0.AddMinutes(11.5))!.Score.Should().Be(2, "the second prediction is 2.5 minutes old, not 10.5");
    }

    [Fact]
    public void Expiring_without_traffic_empties_a_window_of_old_predictions()
    {
        var window = new JoinWindow(capacity: 10, TimeSpan.FromMinutes(10));
        window.Add("a", Value(1), T0);
        window.Add("b", Value(2), T0.AddMinutes(5));

        window.Expire(T0.AddMinutes(11));

        window.Count.Should().Be(1);
        window.Expire(T0.AddMinutes(16));
        window.Count.Should().Be(0);
        window.Tracked.Should().Be(0);
    }
}
