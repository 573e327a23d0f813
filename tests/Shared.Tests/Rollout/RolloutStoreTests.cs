using System.Text;
using System.Text.Json;
using MLPipeline.Shared.Rollout;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;

namespace MLPipeline.Shared.Tests.Rollout;

/// <summary>The record in a folder store: validated when read, written only at its ETag, one judgement applied once.</summary>
public sealed class RolloutStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rollout-store-").FullName;
    private readonly RolloutStore _rollouts;

    public RolloutStoreTests() => _rollouts = new RolloutStore(new FileModelStore(_root));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static RolloutRecord Started(DateTimeOffset now) =>
        RolloutTransitions.Start("house", "production", "v1", "v2", RolloutMode.Canary, [50, 100], TimeSpan.FromSeconds(1), "X-User-Id",
            new RolloutCriteria { MinRequests = 1, MaxLatencyRatio = null, MaxScoreShift = null }, "test", now);

    [Theory]
    [InlineData("{not json", "rollout.json: invalid rollout record:")]
    [InlineData("""{"model":"house","id":"x","alias":"production","stable":"v1","candidate":"v1","mode":"canary","steps":[50,20],"step":0,"weight":50,"stepTime":"00:01:00","stepStartedUtc":"2026-11-30T00:00:00Z","criteria":{},"state":"running","history":[]}""", "candidate: is the stable version itself; steps: weights must increase")]
    [InlineData("""{"model":"house","id":"x","alias":"production","stable":"v1","candidate":"v2","mode":"sideways","steps":[100],"step":0,"weight":100,"stepTime":"00:01:00","stepStartedUtc":"2026-11-30T00:00:00Z","criteria":{},"state":"running","history":[]}""", "invalid rollout record")]
    public async Task A_bad_record_is_refused_naming_the_file_and_fields(string content, string message)
    {
        await _rollouts.Store.WriteDocumentAsync("house", RolloutRecord.FileName, Encoding.UTF8.GetBytes(content), DocumentCondition.None);
        await FluentActions.Awaiting(() => _rollouts.ReadAsync("house")).Should().ThrowAsync<InvalidRolloutException>().WithMessage($"*{message}*");
    }

    [Fact]
    public async Task Racing_judges_apply_a_due_step_exactly_once()
    {
        foreach (var version in new[] { "v1", "v2" })
        {
            var package = TestModelPackage.Create("house", version);
            await _rollouts.Store.PublishAsync(package);
            Directory.Delete(package, recursive: true);
        }

        await _rollouts.Store.PromoteAsync("house", "v1", "production");
        var start = DateTimeOffset.UtcNow.AddSeconds(-5);
        var record = await _rollouts.WriteAsync(Started(start), null);
        await _rollouts.WriteFiguresAsync(new ReplicaFigures
        {
            Model = "house",
            RolloutId = record.Id,
            StepStartedUtc = record.StepStartedUtc,
            Replica = "r1",
            WrittenUtc = start,
            Versions = new() { ["v1"] = new VersionFigures { Requests = 10 }, ["v2"] = new VersionFigures { Requests = 10 } },
        });

        var now = DateTimeOffset.UtcNow;
        var racing = new RolloutStore(new ReadersFirstStore(_rollouts.Store, readers: 6));
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => racing.StepAsync("house", $"judge-{i}", now))));

        results.Count(r => r.Applied).Should().Be(1);
        var final = await _rollouts.ReadAsync("house");
        final!.State.Should().Be(RolloutState.Promoted);
        final.History.Count(h => h.Action == RolloutAction.Promoted).Should().Be(1);
        final.History.Count(h => h.Action == RolloutAction.AliasMoved).Should().Be(1);
        final.AliasMoved.Should().BeTrue();
        (await _rollouts.Store.FindAliasAsync("house", "production"))!.Version.Should().Be("v2");
        JsonDocument.Parse((await _rollouts.Store.FindDocumentAsync("house", RolloutRecord.FileName))!.Content).RootElement.GetProperty("state").GetString().Should().Be("promoted");
        final.History.Single(h => h.Action == RolloutAction.Promoted).Figures!["v2"].Requests.Should().Be(10);
        (await _rollouts.Store.ListDocumentsAsync("house", ReplicaFigures.Folder)).Should().BeEmpty("the judge that ended the rollout deleted the figures files");
    }
}
