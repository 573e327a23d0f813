using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Rollout;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Runs;
using MLPipeline.Training.Specs;
using Xunit.Abstractions;

namespace MLPipeline.Serving.Tests.Rollout;

/// <summary>
/// Rollouts across two real replicas on one Azurite store under concurrent load: the split, stickiness, a walk to
/// promotion, a shadow rollback, a candidate that disappears. Every request on the stable path must succeed.
/// Latency is left out of the criteria here (no timing thresholds in tests; the judge's unit tests cover it).
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class RolloutReplicaTests(TrainedModelsFixture fixture, RolloutReplicas replicas, ITestOutputHelper output) : IClassFixture<RolloutReplicas>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Long = TimeSpan.FromHours(1);

    private TrainedModels Models => fixture.Models;

    [Fact]
    public async Task A_ten_percent_canary_splits_each_replica_ten_percent_and_a_sticky_key_gets_one_version_everywhere()
    {
        await PublishPairAsync("split", Models.HousePricesMain);
        var record = await replicas.StartAsync("split", "v2", RolloutMode.Canary, [10, 100], Long, Criteria(minRequests: 200), stickyHeader: "X-User-Id");
        var bodies = RolloutReplicas.Bodies(Models.HousePricesMain, "house-prices.csv");
        await replicas.WaitRoutedAsync("split", "v2", bodies);

        var answers = await replicas.LoadAsync("split", bodies, 12_000, 16);

        AllSucceeded(answers);
        foreach (var replica in new[] { 0, 1 })
        {
            var mine = answers.Where(a => a.Replica == replica).ToList();
            var share = (double)mine.Count(a => a.Version == "v2") / mine.Count;
            output.WriteLine($"replica {replica}: {mine.Count} requests, candidate share {share:P2}");
            share.Should().BeInRange(0.08, 0.12, $"replica {replica} answered {mine.Count} requests");
            mine.Select(a => a.Version).Distinct().Should().BeEquivalentTo("v1", "v2");
        }

        // 300 users, each sent twice to each replica: one version per user, the one the record's hash gives it.
        var sticky = await replicas.LoadAsync("split", bodies, 1200, 16, stickyKey: i => $"user-{i / 4}");
        AllSucceeded(sticky);
        var byUser = sticky.GroupBy(a => a.Key!).ToList();
        byUser.Should().OnlyContain(g => g.Select(a => a.Version).Distinct().Count() == 1 && g.Select(a => a.Replica).Distinct().Count() == 2);
        byUser.Should().OnlyContain(g => g.First().Version == (RolloutRoute(record.Id, g.Key) ? "v2" : "v1"));
        byUser.Count(g => g.First().Version == "v2").Should().BeInRange(10, 60, "about 10% of 300 users");
        foreach (var replica in replicas.Replicas)
        {
            (await replica.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Should().Contain("mlpipeline_rollout_weight{model=\"split\"} 10\n");
            var routing = (await RoutingAsync(replica, "split"))!.Value;
            (routing.GetProperty("candidate").GetString(), routing.GetProperty("weight").GetInt32(), routing.GetProperty("mode").GetString(), routing.GetProperty("stickyHeader").GetString())
                .Should().Be(("v2", 10, "canary", "X-User-Id"));
        }

        await AbortAsync("split");
        foreach (var replica in replicas.Replicas)
        {
            await Eventually.ValueAsync(() => replica.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative)), m => m.Contains("mlpipeline_rollout_weight{model=\"split\"} 0\n", StringComparison.Ordinal), Deadline);
            (await RoutingAsync(replica, "split")).Should().BeNull("GET /models/{name} shows a rollout only while it routes");
        }
    }

    /// <summary>The <c>rollout</c> of GET /models/{name}: how the replica routes the model now, or null.</summary>
    private static async Task<JsonElement?> RoutingAsync(ReplicaProcess replica, string name)
    {
        var model = JsonDocument.Parse(await replica.Client.GetStringAsync(new Uri($"/models/{name}", UriKind.Relative))).RootElement;
        return model.TryGetProperty("rollout", out var rollout) && rollout.ValueKind == JsonValueKind.Object ? rollout.Clone() : null;
    }

    [Fact]
    public async Task A_good_candidate_walks_every_step_once_and_ends_promoted_with_the_alias_moved()
    {
        await PublishPairAsync("walk", Models.HousePricesMain);
        await replicas.StartAsync("walk", "v2", RolloutMode.Canary, [20, 60, 100], TimeSpan.FromSeconds(1), Criteria(minRequests: 50));
        var bodies = RolloutReplicas.Bodies(Models.HousePricesMain, "house-prices.csv");

        var answers = new List<RolloutReplicas.Answer>();
        var record = await LoadUntilAsync("walk", bodies, answers, r => r.State == RolloutState.Promoted && r.AliasMoved);

        AllSucceeded(answers);
        (await replicas.Store.FindAliasAsync("walk", "production"))!.Version.Should().Be("v2");
        record.History.Select(h => (h.Action, h.FromWeight, h.ToWeight)).Should().Equal(
            (RolloutAction.Started, 0, 20),
            (RolloutAction.Stepped, 20, 60),
            (RolloutAction.Promoted, 60, 100),
            (RolloutAction.AliasMoved, 100, 100));
        record.History[1].Figures!["v2"].Requests.Should().BeGreaterThanOrEqualTo(50, "a step is taken on the figures summed over both replicas");
        output.WriteLine(string.Join("\n", record.History.Select(h => $"{h.AtUtc:HH:mm:ss.fff} {h.By} {h.Action} {h.FromWeight}->{h.ToWeight}: {h.Reason}")));

        await replicas.WaitServedAsync("walk", "v2");
        var after = await replicas.LoadAsync("walk", bodies, 200, 8);
        AllSucceeded(after);
        after.Should().OnlyContain(a => a.Version == "v2");
    }

    [Fact]
    public async Task A_shadow_candidate_trained_on_shuffled_labels_is_rolled_back_while_stable_answers_everything()
    {
        await PublishShuffledCancerPairAsync("shadow");
        await replicas.StartAsync("shadow", "v2", RolloutMode.Shadow, [50, 100], Long, Criteria(minRequests: 100));
        var bodies = RolloutReplicas.Bodies(Models.CancerModel, "breast-cancer.csv");

        var answers = new List<RolloutReplicas.Answer>();
        var record = await LoadUntilAsync("shadow", bodies, answers, r => r.State == RolloutState.RolledBack);

        AllSucceeded(answers);
        answers.Should().OnlyContain(a => a.Version == "v1", "in shadow mode the candidate's answers are never seen");
        var reason = record.History[^1].Reason;
        output.WriteLine(reason);
        reason.Should().Match(r => r.Contains("agreement", StringComparison.Ordinal) || r.Contains("score shift", StringComparison.Ordinal));
        record.History[^1].Figures!["v2"].Agreement.Should().BeLessThan(0.95);
        (await replicas.Store.FindAliasAsync("shadow", "production"))!.Version.Should().Be("v1");
    }

    [Fact]
    public async Task A_canary_trained_on_shuffled_labels_is_rolled_back_by_live_quality_from_feedback_on_both_replicas()
    {
        await PublishShuffledCancerPairAsync("quality");

        // Only live quality can fail it: the distribution and agreement criteria are off.
        var criteria = Criteria(minRequests: 100) with { MaxScoreShift = null, MinAgreement = null, MaxQualityDrop = 0.1, MinQualityLabels = 100 };
        await replicas.StartAsync("quality", "v2", RolloutMode.Canary, [50, 100], Long, criteria);
        var bodies = RolloutReplicas.Bodies(Models.CancerModel, "breast-cancer.csv");
        var labels = CsvLabels("breast-cancer.csv");

        var answers = new List<RolloutReplicas.Answer>();
        var record = await LoadUntilAsync("quality", bodies, answers, r => r.State == RolloutState.RolledBack, async batch =>
        {
            // The callers' ground truth comes back later to the replica that answered, naming the prediction's id.
            foreach (var replica in batch.Where(a => a.Status == HttpStatusCode.OK).GroupBy(a => a.Replica))
            {
                var items = replica.Select(a => new { id = PredictionId(a.Body), label = labels[a.Request % bodies.Count] }).ToList();
                using var response = await replicas.Replicas[replica.Key].Client.PostAsJsonAsync(new Uri("/models/quality/feedback", UriKind.Relative), new { items });
                response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            }
        });

        AllSucceeded(answers);
        answers.Select(a => a.Version).Distinct().Should().BeEquivalentTo(["v1", "v2"], "both versions answered callers, so both were measured");
        var last = record.History[^1];
        output.WriteLine(last.Reason);
        last.Reason.Should().StartWith("live quality: Accuracy candidate");
        var stable = last.Figures!["v1"].Quality!;
        var candidate = last.Figures!["v2"].Quality!;
        stable.Value.Should().BeGreaterThan(candidate.Value + 0.1);
        candidate.Labels.Should().BeGreaterThanOrEqualTo(100);
        (await replicas.Store.FindAliasAsync("quality", "production"))!.Version.Should().Be("v1");
    }

    [Fact]
    public async Task A_candidate_deleted_mid_rollout_is_rolled_back_and_no_caller_sees_a_failure()
    {
        await PublishPairAsync("gone", Models.HousePricesMain);
        await replicas.StartAsync("gone", "v2", RolloutMode.Canary, [50, 100], Long, Criteria(minRequests: 1_000_000));
        var bodies = RolloutReplicas.Bodies(Models.HousePricesMain, "house-prices.csv");
        await replicas.WaitRoutedAsync("gone", "v2", bodies);

        await foreach (var blob in replicas.Container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = "gone/versions/v2/" }))
        {
            await replicas.Container.DeleteBlobAsync(blob.Name);
        }

        var answers = new List<RolloutReplicas.Answer>();
        var record = await LoadUntilAsync("gone", bodies, answers, r => r.State == RolloutState.RolledBack);

        AllSucceeded(answers);
        record.History[^1].Reason.Should().Contain("v2 is no longer in the model store");
        var after = await Eventually.ValueAsync(() => replicas.LoadAsync("gone", bodies, 100, 8), a => a.All(x => x.Version == "v1"), Deadline);
        AllSucceeded(after);
    }

    [Fact]
    public async Task A_bad_record_in_the_store_is_ignored_and_the_last_good_one_keeps_routing()
    {
        await PublishPairAsync("garbled", Models.HousePricesMain);
        await replicas.StartAsync("garbled", "v2", RolloutMode.Canary, [50, 100], Long, Criteria(minRequests: 1_000_000));
        var bodies = RolloutReplicas.Bodies(Models.HousePricesMain, "house-prices.csv");
        await replicas.WaitRoutedAsync("garbled", "v2", bodies);

        await replicas.Store.WriteDocumentAsync("garbled", RolloutRecord.FileName, "{\"model\": \"garbled\", \"steps\": [100, 5]"u8.ToArray(), DocumentCondition.None);
        await Eventually.TrueAsync(() => replicas.Replicas.All(r => r.Log.Contains("garbled/rollout.json: invalid rollout record", StringComparison.Ordinal)), Deadline, "both replicas log the bad record");
        var answers = await replicas.LoadAsync("garbled", bodies, 1000, 8);

        AllSucceeded(answers);
        answers.Select(a => a.Version).Distinct().Should().BeEquivalentTo(["v1", "v2"], "the last good record (50%) still routes");
    }

    private string Folder(ModelManifest manifest) => Path.GetDirectoryName(Models.ModelPath(manifest))!;

    private static RolloutCriteria Criteria(int minRequests) => new() { MinRequests = minRequests, MaxLatencyRatio = null };

    private static bool RolloutRoute(string id, string key) => MLPipeline.Serving.Rollout.RolloutRoute.Bucket(id, key) < 1000;

    private Task PublishPairAsync(string name, ModelManifest source) => PublishPairAsync(name, Folder(source), Folder(source));

    /// <summary>
    /// v1 behind production, then v2: the alias exists before v2 does, so no replica ever serves v2 as the newest
    /// version (a load of it still under way when the replicas report v1 would swap it in a moment later).
    /// </summary>
    private async Task PublishPairAsync(string name, string stableFolder, string candidateFolder)
    {
        await replicas.PublishAsync(stableFolder, name, "v1");
        await replicas.Store.PromoteAsync(name, "v1", "production");
        await replicas.PublishAsync(candidateFolder, name, "v2");
        await replicas.WaitServedAsync(name, "v1");
    }

    /// <summary>
    /// Keeps load on both replicas until the record satisfies <paramref name="until"/>; every answer is collected, and
    /// each batch of answers is handed to <paramref name="answered"/> when given.
    /// </summary>
    private async Task<RolloutRecord> LoadUntilAsync(string name, IReadOnlyList<string> bodies, List<RolloutReplicas.Answer> answers, Func<RolloutRecord, bool> until, Func<List<RolloutReplicas.Answer>, Task>? answered = null)
    {
        var end = DateTime.UtcNow + Deadline;
        while (true)
        {
            var batch = await replicas.LoadAsync(name, bodies, 400, 8);
            answers.AddRange(batch);
            if (answered is not null)
            {
                await answered(batch);
            }

            var record = (await replicas.Rollouts.ReadAsync(name))!;
            if (until(record))
            {
                return record;
            }

            if (DateTime.UtcNow > end)
            {
                // What the judge sees now, criterion by criterion: the reason a rollout that should have ended did not.
                var figures = await replicas.Rollouts.SumFiguresAsync(record);
                var verdict = RolloutDecision.Decide(record, figures, DateTimeOffset.UtcNow);
                var checks = string.Join("; ", verdict.Checks.Select(c => $"{c.Criterion} {c.Outcome}: {c.Detail}"));
                var monitoring = new List<string>();
                foreach (var replica in replicas.Replicas)
                {
                    using var response = await replica.Client.GetAsync(new Uri($"/models/{name}/monitoring", UriKind.Relative));
                    monitoring.Add(await response.Content.ReadAsStringAsync());
                }

                throw new TimeoutException($"Rollout of {name} still {record.State} at {record.Weight}% after {Deadline}: {JsonSerializer.Serialize(record.History)}\n"
                    + $"judge now: {verdict.Kind} ({verdict.Reason}); {checks}\nreplicas: {string.Join(", ", figures.Replicas)}\nmonitoring: {string.Join("\n", monitoring)}\n{replicas.Logs}");
            }
        }
    }

    private async Task AbortAsync(string name)
    {
        var record = (await replicas.Rollouts.ReadAsync(name))!;
        await replicas.Rollouts.WriteAsync(RolloutTransitions.RollBack(record, "test over", null, "test", DateTimeOffset.UtcNow), record);
    }

    private void AllSucceeded(IEnumerable<RolloutReplicas.Answer> answers)
    {
        var failed = answers.Where(a => a.Status != HttpStatusCode.OK).Take(3).ToList();
        failed.Should().BeEmpty($"every request must succeed; first failures: {string.Join(" | ", failed.Select(f => $"{f.Status} {f.Body}"))}\n{replicas.Logs}");
    }

    private static string PredictionId(string body) => JsonDocument.Parse(body).RootElement.GetProperty("predictions")[0].GetProperty("id").GetString()!;

    /// <summary>The last column of every row of a bundled CSV, in the order <see cref="RolloutReplicas.Bodies"/> makes the bodies.</summary>
    private static List<string> CsvLabels(string csv) =>
        [.. File.ReadAllLines(RepositoryRoot.Data(csv)).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')[^1])];

    /// <summary>The cancer model as v1 behind production and the same recipe trained on shuffled labels as v2.</summary>
    private async Task PublishShuffledCancerPairAsync(string name)
    {
        using var scratch = new TempFolder("rollout-shuffled-");
        var package = TrainShuffledCancer(scratch);
        try
        {
            await PublishPairAsync(name, Folder(Models.CancerModel), package);
        }
        finally
        {
            Directory.Delete(package, recursive: true);
        }
    }

    /// <summary>
    /// The cancer model's recipe trained on the same rows with the label column shuffled (a fixed shuffle: it learned
    /// nothing, the same way every run); its version folder.
    /// </summary>
    private static string TrainShuffledCancer(TempFolder scratch)
    {
        var lines = File.ReadAllLines(RepositoryRoot.Data("breast-cancer.csv"));
        var rows = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToList();
        var shuffle = new Random(7);
        var labels = rows.Select(r => r[^1]).OrderBy(_ => shuffle.Next()).ToList();
        var csv = scratch.File("shuffled.csv", string.Join('\n', [lines[0], .. rows.Select((r, i) => string.Join(',', r[..^1].Append(labels[i])))]) + "\n");
        var spec = new TestSpec("cancer", csv, "malignant", "binary", "LbfgsLogisticRegression")
            .With("testFraction", 0.2).WithoutCrossValidation().With("seed", 7).With("export", new { onnx = false });
        return new TrainingRun(SpecLoader.Parse(spec.Json, spec.WriteTo(scratch)), SilentProgress.Instance).Execute("shuffled").PackageDirectory;
    }
}
