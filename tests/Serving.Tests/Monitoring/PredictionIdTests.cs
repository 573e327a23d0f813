using System.Collections.Concurrent;
using FluentAssertions;
using MLPipeline.Serving.Monitoring;
using Xunit;

namespace MLPipeline.Serving.Tests.Monitoring;

public sealed class PredictionIdTests
{
    [Fact]
    public void A_new_id_is_a_version_7_uuid_of_now_in_32_lowercase_hex_digits()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var id = PredictionIds.New();
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        id.Should().MatchRegex("^[0-9a-f]{32}$");
        var uuid = Guid.ParseExact(id, "N");
        uuid.Version.Should().Be(7);
        (uuid.Variant & 0b1100).Should().Be(0b1000, "RFC 9562 variant bits are 10");
        Convert.ToInt64(id[..12], 16).Should().BeInRange(before, after);
        PredictionIds.IsValid(id).Should().BeTrue();
    }

    [Fact]
    public void Ids_are_distinct_across_threads_and_refills_of_the_random_buffer_and_ordered_across_milliseconds()
    {
        // 8 threads x 2,000 ids: each thread refills its 4 KB buffer about five times.
        var ids = new ConcurrentBag<string>();
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            for (var i = 0; i < 2000; i++)
            {
                ids.Add(PredictionIds.New());
            }
        });
        ids.Distinct().Should().HaveCount(16_000);

        var first = PredictionIds.New();
        Thread.Sleep(5);
        string.CompareOrdinal(PredictionIds.New(), first).Should().BePositive("a later millisecond sorts after");
    }

    [Fact]
    public void The_random_bits_are_not_all_the_same()
    {
        // 74 random bits per id: over 1,000 ids every random hex digit position takes many values.
        var ids = Enumerable.Range(0, 1000).Select(_ => PredictionIds.New()).ToArray();
        foreach (var position in new[] { 13, 14, 15, 17, 20, 25, 31 })
        {
            ids.Select(id => id[position]).Distinct().Count().Should().BeGreaterThan(12, $"hex digit {position}");
        }
    }
}
