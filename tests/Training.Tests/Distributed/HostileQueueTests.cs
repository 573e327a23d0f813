using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Distributed;
using MLPipeline.Training.Search;

namespace MLPipeline.Training.Tests.Distributed;

/// <summary>
/// What anyone with access to the queue or the store could put there (or what a torn write leaves), against a worker and
/// a coordinator in this process: nothing crashes or hangs, nothing is written outside the run, and a record that is
/// not the trial it claims to be is a failed trial naming its file.
/// </summary>
public sealed class HostileQueueTests(HostileQueueFixture fixture) : IClassFixture<HostileQueueFixture>, IDisposable
{
    private static readonly WorkerOptions Options = new(TimeSpan.FromSeconds(30), MaxAttempts: 2, IdleExit: TimeSpan.Zero) { RetryDelay = TimeSpan.Zero, EmptyQueueDelay = TimeSpan.FromMilliseconds(50) };

    private readonly TempFolder _store = new();

    public void Dispose() => _store.Dispose();

    private static string Message(string runId = "run-1", int trial = 1, int rung = 0, string fraction = "1", string trainer = "\"LbfgsMaximumEntropy\"", string options = "{}") =>
        $$"""{"runId":{{JsonSerializer.Serialize(runId)}},"trial":{{trial}},"rung":{{rung}},"fraction":{{fraction}},"trainer":{{trainer}},"options":{{options}}}""";

    public static TheoryData<string, bool, string> NotTrials => new()
    {
        { "%%% not base64 at all %%%", false, "not a trial" },
        { "not json", true, "not a trial" },
        { "{}", true, "runId" },
        { "null", true, "not a trial" },
        { "[1,2,3]", true, "not a trial" },
        { Message(runId: "../../outside"), true, "runId" },
        { Message(runId: ""), true, "runId" },
        { Message(trial: -3), true, "trial" },
        { Message(trial: 0), true, "trial" },
        { Message(rung: -1), true, "rung" },
        { Message(fraction: "0"), true, "fraction" },
        { Message(fraction: "1.5"), true, "fraction" },
        { Message(fraction: "\"NaN\""), true, "not a trial" },
        { Message(trainer: "null"), true, "trainer" },
        { Message(trainer: "\"\""), true, "trainer" },
        { Message(options: "null"), true, "options" },
        { Message(options: "[1]"), true, "not a trial" },
        { "{\"runId\":" + new string('[', 5000) + new string(']', 5000) + "}", true, "not a trial" },
    };

    [Theory]
    [MemberData(nameof(NotTrials))]
    public async Task A_message_that_is_not_a_trial_goes_to_the_poison_queue_untouched_and_the_worker_goes_on(string body, bool base64, string problem)
    {
        var uri = fixture.NewQueueUri();
        var queues = TrialQueues.Connect(uri);
        await queues.CreateIfMissingAsync(CancellationToken.None);
        await fixture.Raw(uri, base64).SendMessageAsync(body);
        var log = new StringWriter();
        using var worker = new TrialWorker(queues, RunFiles.Open(_store.Combine("a", "store")), Options, log);

        var recorded = await worker.RunAsync(CancellationToken.None);

        recorded.Should().Be(0);
        log.ToString().Should().Contain(problem).And.Contain("moved to the poison queue");
        (await fixture.Raw(uri).PeekMessagesAsync(10)).Value.Should().BeEmpty("the message left the trial queue");
        (await fixture.Raw(uri).GetPropertiesAsync()).Value.ApproximateMessagesCount.Should().Be(0, "no copy waits invisible either");
        var poison = (await queues.Poison.PeekMessagesAsync(10)).Value;
        poison.Should().ContainSingle();
        Directory.GetFileSystemEntries(_store.Path, "*", SearchOption.AllDirectories).Should().BeEmpty("nothing is written for a message that names no trial, in the store or beside it");
    }

    [Fact]
    public async Task A_message_deleted_from_under_a_worker_is_no_crash_the_worker_goes_on()
    {
        var uri = fixture.NewQueueUri();
        var queues = TrialQueues.Connect(uri);
        await queues.CreateIfMissingAsync(CancellationToken.None);
        await queues.Trials.SendMessageAsync(Message());
        var log = new StringWriter();

        // While the worker looks for the run's plan, someone clears the queue: the message it holds is gone when it puts it back.
        using var worker = new TrialWorker(queues, new ClearingFiles(fixture.Raw(uri)), Options, log);
        var recorded = await worker.RunAsync(CancellationToken.None);

        recorded.Should().Be(0);
        log.ToString().Should().Contain("run-1/1: failed on attempt 1").And.Contain("its message was gone");
    }

    [Fact]
    public async Task A_lease_whose_message_disappears_stops_renewing_and_ends_quietly()
    {
        var uri = fixture.NewQueueUri();
        var queues = TrialQueues.Connect(uri);
        await queues.CreateIfMissingAsync(CancellationToken.None);
        await queues.Trials.SendMessageAsync(Message());
        var message = (await queues.Trials.ReceiveMessageAsync(TimeSpan.FromSeconds(30))).Value;
        var lease = new MessageLease(queues, message, TimeSpan.FromMilliseconds(150));

        await fixture.Raw(uri).ClearMessagesAsync();
        await Eventually.TrueAsync(() => lease.Lost, TimeSpan.FromSeconds(30), "the renewal to find the message gone");

        (await lease.DeleteAsync(CancellationToken.None)).Should().BeFalse();
        await FluentActions.Awaiting(async () => await lease.DisposeAsync()).Should().NotThrowAsync();
    }

    [Fact]
    public async Task A_queue_that_refuses_the_worker_is_a_store_error_naming_the_queue()
    {
        var name = $"trials-{Guid.NewGuid():N}"[..20];
        var forged = new QueueServiceClient(fixture.Azurite.ConnectionStringWithKey(AzuriteServer.WrongKey)).GenerateAccountSasUri(
            Azure.Storage.Sas.AccountSasPermissions.All, DateTimeOffset.UtcNow.AddHours(1), Azure.Storage.Sas.AccountSasResourceTypes.All);
        var uri = $"{fixture.Azurite.QueueEndpoint}/{name}{forged.Query}";

        var run = await CliRunner.RunAsync("worker", "--queue", uri, "--store", _store.Path, "--idle-exit", "0");

        run.ExitCode.Should().Be(ExitCodes.StoreError, run.Output);
        run.StdErr.Should().StartWith($"store error: Queue {fixture.Azurite.QueueEndpoint}/{name}: cannot create (403 AuthenticationFailed)").And.NotContain("sig=").And.NotContain("   at ");
    }

    [Fact]
    public async Task A_queue_that_does_not_answer_after_the_retries_is_a_store_error_naming_the_queue()
    {
        var queues = TrialQueues.Connect(fixture.NewQueueUri());
        var unanswered = new AggregateException("Retry failed after 4 tries.", new Azure.RequestFailedException("Connection refused (127.0.0.1:1)"));

        var call = () => queues.CallAsync("take a message from", () => Task.FromException(unanswered));

        (await call.Should().ThrowAsync<QueueFailedException>()).Which.Message.Should()
            .StartWith($"Queue {queues.Display}: cannot take a message from (no answer after retries: Connection refused (127.0.0.1:1))");
        new QueueFailedException("x", unanswered).Should().BeAssignableTo<ModelStoreException>("the console maps store errors to exit code 4");
    }

    /// <summary>A store without plans, where asking for one clears the trial queue (as someone else deleting the message would).</summary>
    private sealed class ClearingFiles(QueueClient queue) : RunFiles
    {
        public override string Location => "memory";

        public override Task<bool> TryCreateAsync(string path, byte[] content, CancellationToken cancellationToken) => Task.FromResult(true);

        public override async Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken)
        {
            if (path.EndsWith("plan.json", StringComparison.Ordinal))
            {
                await queue.ClearMessagesAsync(cancellationToken);
            }

            return null;
        }
    }

    public static TheoryData<string, string?> Records => new()
    {
        { "not json", "is not a trial record" },
        { "null", "is not a trial record (it holds null)" },
        { "{}", "records another trial than the one planned (trial 0, not 2, fraction 0, not 1, trainer (none), not LbfgsMaximumEntropy)" },
        { Record(trainer: "FastTree"), "records another trial than the one planned (trainer FastTree, not LbfgsMaximumEntropy)" },
        { Record(trial: 1), "records another trial than the one planned (trial 1, not 2)" },
        { Record(rung: 1, fraction: "0.5"), "records another trial than the one planned (rung 1, not 0, fraction 0.5, not 1)" },
        { Record(options: """{"L2Regularization":1000}"""), "records another trial than the one planned (other trainer options)" },
        { Record(metrics: """{"SomeOtherMetric":{"mean":0.9,"stdDev":0}}"""), "has neither an error nor the main metric" },
        { Record(metrics: """{"MacroAccuracy":null,"MicroAccuracy":null}"""), "has neither an error nor the main metric" },
        { Record(metrics: null), "has neither an error nor the main metric" },
        { Record(metrics: """{"MacroAccuracy":{"mean":"NaN","stdDev":"NaN"},"MicroAccuracy":{"mean":"NaN","stdDev":"NaN"}}"""), null },
        { Record(options: null), null },
        { Record(), null },
    };

    private static string Record(int trial = 2, int rung = 0, string fraction = "1", string trainer = "LbfgsMaximumEntropy", string? options = """{"L2Regularization":1}""",
        string? metrics = """{"MacroAccuracy":{"mean":0.9,"stdDev":0.01},"MicroAccuracy":{"mean":0.9,"stdDev":0.01}}""") =>
        $$"""{"trial":{{trial}},"rung":{{rung}},"fraction":{{fraction}},"trainer":"{{trainer}}","seconds":1,"worker":"w","attempt":1{{(options is null ? "" : $",\"options\":{options}")}}{{(metrics is null ? "" : $",\"crossValidation\":{metrics}")}}}""";

    [Theory]
    [MemberData(nameof(Records))]
    public async Task A_trial_file_that_is_not_this_trials_record_fails_that_trial_naming_the_file(string content, string? error)
    {
        var files = RunFiles.Open(_store.Path);
        var trials = SearchPlan.For(fixture.Evaluator.Spec).FirstRung();
        trials.Select(t => t.Candidate.Options["L2Regularization"].GetDouble()).Should().Equal(0.1, 1, 10);
        foreach (var trial in trials)
        {
            var record = trial.Number == 2 ? content : Record(trial: trial.Number, options: $$"""{"L2Regularization":{{trial.Candidate.Options["L2Regularization"]}}}""");
            (await files.TryCreateAsync(RunPaths.Trial("run-1", trial.Number), Encoding.UTF8.GetBytes(record), CancellationToken.None)).Should().BeTrue();
        }

        var executor = new QueueTrialExecutor(TrialQueues.Connect(fixture.NewQueueUri()), files, "run-1", fixture.Evaluator, SilentProgress.Instance);
        var results = await executor.RunAsync(trials, deadline: null, CancellationToken.None);

        results.Select(r => r.Trial).Should().Equal(1, 2, 3);
        results.Where(r => r.Trial != 2).Should().OnlyContain(r => r.Error == null);
        if (error is null)
        {
            results[1].Error.Should().BeNull();
            results[1].Rank("MacroAccuracy").Should().BeOneOf(0.9, double.NegativeInfinity);
        }
        else
        {
            results[1].Error.Should().StartWith($"{_store.Path}/runs/run-1/trials/2.json ").And.Contain(error);
        }
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("""{"runId":"run-1","spec":"a string","dataSha256":"x"}""")]
    public async Task A_resumed_run_whose_plan_is_not_one_is_a_store_error_naming_it(string plan)
    {
        var files = RunFiles.Open(_store.Path);
        await files.TryCreateAsync(RunPaths.Plan("run-1"), Encoding.UTF8.GetBytes(plan), CancellationToken.None);
        var executor = new QueueTrialExecutor(TrialQueues.Connect(fixture.NewQueueUri()), files, "run-1", fixture.Evaluator, SilentProgress.Instance);

        var run = () => executor.RunAsync(SearchPlan.For(fixture.Evaluator.Spec).FirstRung(), null, CancellationToken.None);

        (await run.Should().ThrowAsync<ModelStoreException>()).Which.Message.Should()
            .StartWith($"{_store.Path}/runs/run-1/plan.json: run run-1 has a plan that is not one (").And.EndWith("give a new --run-id.");
    }
}
