using System.Text;
using System.Text.Json.Nodes;
using MLPipeline.Shared.Rollout;
using MLPipeline.Shared.Store;

namespace MLPipeline.Shared.Tests.Rollout;

/// <summary>
/// Records nobody should have written (a hand edit, a torn copy, another tool): read, judged and stepped, each is either
/// followed as it is or refused naming the file and the field, never an exception of another kind.
/// </summary>
public sealed class HostileRolloutRecordTests : IDisposable
{
    private const string Good = """{"model":"house","id":"x1","alias":"production","stable":"v1","candidate":"v2","mode":"canary","steps":[50,100],"step":0,"weight":50,"stepTime":"00:01:00","stepStartedUtc":"2026-11-30T00:00:00Z","criteria":{"minRequests":1,"minQualityLabels":1},"state":"running","history":[]}""";

    private readonly string _root = Directory.CreateTempSubdirectory("rollout-hostile-").FullName;
    private readonly RolloutStore _rollouts;

    public HostileRolloutRecordTests() => _rollouts = new RolloutStore(new FileModelStore(_root));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string With(string path, JsonNode? value)
    {
        var json = JsonNode.Parse(Good)!.AsObject();
        var parts = path.Split('.');
        var target = json;
        foreach (var part in parts[..^1])
        {
            target = target[part]!.AsObject();
        }

        target[parts[^1]] = value;
        return json.ToJsonString();
    }

    public static TheoryData<string, string> Refused => new()
    {
        { Good[..(Good.Length / 2)], "end of data" },
        { "", "does not contain any JSON" },
        { "null", "the file holds null" },
        { "[1,2]", "could not be converted" },
        { With("history", new JsonArray(null, null)), "history" },
        { With("history", JsonNode.Parse("""[{"atUtc":"2026-11-30T00:00:00Z","by":null,"action":"started","fromWeight":0,"toWeight":50,"reason":null}]""")), "history" },
        { With("criteria.maxErrorRate", "NaN"), "criteria.maxErrorRate" },
        { With("criteria.maxLatencyRatio", "Infinity"), "criteria.maxLatencyRatio" },
        { With("criteria.latencySlackMs", "NaN"), "criteria.latencySlackMs" },
        { With("criteria.latencySlackMs", "Infinity"), "criteria.latencySlackMs" },
        { With("criteria.maxScoreShift", "-Infinity"), "criteria.maxScoreShift" },
        { With("criteria.maxQualityDrop", "Infinity"), "criteria.maxQualityDrop" },
        { With("stepStartedUtc", "9999-12-31T23:59:59Z"), "stepStartedUtc" },
        { With("stepStartedUtc", "0001-01-01T00:00:00Z"), "stepStartedUtc" },
        { With("model", null), "model" },
        { With("candidate", "../v2"), "candidate" },
        { With("steps", new JsonArray()), "steps" },
        { With("step", 7), "step" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_hostile_record_is_refused_naming_the_file_and_field_by_read_and_by_a_judgement(string content, string field)
    {
        await _rollouts.Store.WriteDocumentAsync("house", RolloutRecord.FileName, Encoding.UTF8.GetBytes(content), DocumentCondition.None);

        await FluentActions.Awaiting(() => _rollouts.ReadAsync("house")).Should().ThrowAsync<InvalidRolloutException>()
            .WithMessage($"*house/rollout.json: invalid rollout record: *{field}*");
        await FluentActions.Awaiting(() => _rollouts.StepAsync("house", "test", DateTimeOffset.UtcNow)).Should().ThrowAsync<InvalidRolloutException>();
    }

    [Fact]
    public async Task Replicas_reading_while_another_writes_see_one_whole_record_or_the_next_never_a_torn_one()
    {
        var record = await _rollouts.WriteAsync(
            RolloutTransitions.Start("house", "production", "v1", "v2", RolloutMode.Canary, [50, 100], TimeSpan.FromMinutes(1), null, new RolloutCriteria(), "test", DateTimeOffset.UtcNow),
            null);
        using var writing = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var reads = 0;
            while (!writing.IsCancellationRequested || reads == 0)
            {
                var seen = await _rollouts.ReadAsync("house");
                seen!.Id.Should().Be(record.Id);
                reads++;
            }

            return reads;
        })).ToList();

        for (var i = 0; i < 100; i++)
        {
            record = await _rollouts.WriteAsync(i % 2 == 0 ? RolloutTransitions.Pause(record, "writer", DateTimeOffset.UtcNow) : RolloutTransitions.Resume(record, "writer", DateTimeOffset.UtcNow), record);
        }

        await writing.CancelAsync();
        (await Task.WhenAll(readers)).Should().OnlyContain(reads => reads > 0);
        (await _rollouts.ReadAsync("house"))!.History.Should().HaveCount(101);
    }
}
