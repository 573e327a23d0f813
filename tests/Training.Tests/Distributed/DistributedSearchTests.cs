using System.Text.Json;
using MLPipeline.TestSupport;
using MLPipeline.Training.Distributed;

namespace MLPipeline.Training.Tests.Distributed;

/// <summary>
/// train --workers on Azurite's queue with real worker processes: the same winner, metrics and manifest as in process,
/// whatever happens to the workers or the coordinator on the way.
/// </summary>
public class DistributedSearchTests(DistributedRunFixture fixture) : IClassFixture<DistributedRunFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Three_workers_give_the_same_winner_metrics_and_manifest_as_the_in_process_run()
    {
        var (store, queue) = await fixture.NewRunAsync();
        await using var a = fixture.StartWorker(store, queue);
        await using var b = fixture.StartWorker(store, queue);
        await using var c = fixture.StartWorker(store, queue);

        var run = await CliRunner.RunAsync(fixture.Environment, "train", fixture.SpecPath, "--store", store, "--version", "v1", "--workers", queue, "--run-id", "three");

        run.ExitCode.Should().Be(0, run.Output);
        run.Output.Should().Contain("Run three: plan written to").And.Contain("on the workers of " + queue);
        (await fixture.ManifestAsync(store)).ToJsonString().Should().Be((await fixture.ReferenceAsync()).ToJsonString());
        var recorded = string.Join('\n', a.Lines.Concat(b.Lines).Concat(c.Lines)).Split('\n').Count(l => l.Contains(": recorded (", StringComparison.Ordinal));
        recorded.Should().Be(7, "each of the 7 trials is recorded once");
    }

    [Fact]
    public async Task A_worker_killed_mid_trial_leaves_the_run_complete_and_correct()
    {
        var (store, queue) = await fixture.NewRunAsync();
        await using var doomed = fixture.StartWorker(store, queue);
        var coordinator = CliRunner.RunAsync(fixture.Environment, "train", fixture.SpecPath, "--store", store, "--version", "v1", "--workers", queue, "--run-id", "killed");

        var started = await doomed.WaitForLineAsync(l => l.Contains(": started (attempt 1)", StringComparison.Ordinal), Patience);
        await doomed.KillAsync();
        var trial = int.Parse(started.Split(':')[0].Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);
        await using var survivor = fixture.StartWorker(store, queue);
        var run = await coordinator;

        run.ExitCode.Should().Be(0, run.Output + survivor.Output);
        (await fixture.ManifestAsync(store)).ToJsonString().Should().Be((await fixture.ReferenceAsync()).ToJsonString());
        var record = await TrialRecordAsync(store, "killed", trial);
        record.Attempt.Should().BeGreaterThan(1, "the killed worker's message came back after its visibility timeout");
        record.Error.Should().BeNull();
        doomed.Output.Should().NotContain("recorded (");
    }

    [Fact]
    public async Task A_trial_that_always_throws_ends_in_the_poison_queue_and_the_run_reports_it()
    {
        var (store, queue) = await fixture.NewRunAsync();
        await using var worker = fixture.StartWorker(store, queue, maxAttempts: 2);

        var run = await CliRunner.RunAsync(fixture.Environment, "train", fixture.FailingSpecPath, "--store", store, "--version", "v1", "--workers", queue, "--run-id", "poison");

        run.ExitCode.Should().Be(0, run.Output + worker.Output);
        run.Output.Should().Contain("Trial 1 (LightGbm(NumberOfLeaves=1)) failed: failed 2 time(s): LightGBM Error");
        var poisoned = (await fixture.Queue(queue + TrialQueues.PoisonSuffix).ReceiveMessagesAsync(maxMessages: 10)).Value;
        poisoned.Should().ContainSingle().Which.Body.ToString().Should().Contain("\"trial\":1").And.Contain("\"runId\":\"poison\"");
        (await fixture.Queue(queue).PeekMessagesAsync(maxMessages: 10)).Value.Should().BeEmpty();
        var manifest = await fixture.ManifestAsync(store, "iris-failing");
        manifest["trainer"]!["name"]!.GetValue<string>().Should().Be("LbfgsMaximumEntropy");
        var failed = manifest["search"]!["trials"]![0]!;
        failed["error"]!.GetValue<string>().Should().StartWith("failed 2 time(s): LightGBM Error");
        failed["metric"].Should().BeNull();
    }

    [Fact]
    public async Task A_coordinator_killed_and_restarted_with_the_same_run_id_resumes_from_the_recorded_trials()
    {
        var (store, queue) = await fixture.NewRunAsync();
        string[] args = ["train", fixture.SpecPath, "--store", store, "--version", "v1", "--workers", queue, "--run-id", "resumed"];
        await using (var first = ConsoleProcess.Start(fixture.Environment, args))
        {
            await first.WaitForLineAsync(l => l.Contains("plan written to", StringComparison.Ordinal), Patience);
            await using var worker = fixture.StartWorker(store, queue, idleExit: 3);
            await worker.WaitForLineAsync(l => l.Contains("/4: recorded", StringComparison.Ordinal), Patience);
            await first.KillAsync();

            // The worker finishes the queued rung without the coordinator, then stops.
            (await worker.WaitForExitAsync(Patience)).Should().Be(0);
        }

        await using var next = fixture.StartWorker(store, queue);
        var resumed = await CliRunner.RunAsync(fixture.Environment, args);

        resumed.ExitCode.Should().Be(0, resumed.Output + next.Output);
        resumed.Output.Should().Contain("Run resumed: resuming from the plan").And.Contain("Run resumed: 4 of trials 1-4 already recorded; not queued again.");
        next.Output.Should().NotContain("resumed/1:").And.NotContain("resumed/4:");
        (await fixture.ManifestAsync(store)).ToJsonString().Should().Be((await fixture.ReferenceAsync()).ToJsonString());
    }

    [Fact]
    public async Task A_data_blob_that_does_not_exist_is_a_data_error_naming_it()
    {
        var (store, _) = await fixture.NewRunAsync();
        using var dir = new TempFolder();
        var spec = dir.File("missing.json", File.ReadAllText(fixture.SpecPath).Replace("/data/iris.csv", "/data/missing.csv", StringComparison.Ordinal));

        var run = await CliRunner.RunAsync(fixture.Environment, "train", spec, "--store", store);

        run.ExitCode.Should().Be(2, run.Output);
        run.StdErr.Should().Contain($"data error: {fixture.Azurite.BlobEndpoint}/data/missing.csv: data file not found (spec {spec}");
    }

    private async Task<TrialRecord> TrialRecordAsync(string store, string runId, int trial)
    {
        var container = fixture.Azurite.ServiceClient().GetBlobContainerClient(new Uri(store).Segments[^1]);
        var content = (await container.GetBlobClient(RunPaths.Trial(runId, trial)).DownloadContentAsync()).Value.Content;
        return JsonSerializer.Deserialize(content.ToString(), RunJsonContext.Default.TrialRecord)!;
    }
}
