using System.Text.Json;
using MLPipeline.Shared.Rollout;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;
using MLPipeline.Training.Cli;

namespace MLPipeline.Training.Tests.StoreCommands;

/// <summary>The rollout commands on a folder store: the plan as recorded, every transition by hand, the exit codes.</summary>
public sealed class RolloutCommandTests : IDisposable
{
    private readonly string _store = Directory.CreateTempSubdirectory("cli-rollout-").FullName;

    public RolloutCommandTests()
    {
        var store = new FileModelStore(_store);
        foreach (var version in new[] { "v1", "v2" })
        {
            var package = TestModelPackage.Create("house", version);
            store.PublishAsync(package).GetAwaiter().GetResult();
            Directory.Delete(package, recursive: true);
        }

        store.PromoteAsync("house", "v1", "production").GetAwaiter().GetResult();
        store.PromoteAsync("house", "v2", "staging").GetAwaiter().GetResult();
    }

    public void Dispose() => Directory.Delete(_store, recursive: true);

    [Fact]
    public async Task Start_records_the_plan_and_status_shows_the_figures_criteria_and_history()
    {
        var started = await Run("rollout", "start", "house", "--candidate", "@staging", "--mode", "shadow", "--steps", "10,50,100", "--step-time", "90s",
            "--sticky-header", "X-User-Id", "--min-requests", "500", "--max-latency-ratio", "off", "--min-quality-labels", "40", "--store", _store, "--json");
        started.ExitCode.Should().Be(ExitCodes.Ok, started.ToString());
        var record = started.Json.GetProperty("rollout");
        record.GetProperty("stable").GetString().Should().Be("v1");
        record.GetProperty("candidate").GetString().Should().Be("v2");
        record.GetProperty("mode").GetString().Should().Be("shadow");
        record.GetProperty("weight").GetInt32().Should().Be(10);
        record.GetProperty("stepTime").GetString().Should().Be("00:01:30");
        record.GetProperty("criteria").GetProperty("minRequests").GetInt32().Should().Be(500);
        record.GetProperty("criteria").GetProperty("minQualityLabels").GetInt32().Should().Be(40);
        record.GetProperty("criteria").TryGetProperty("maxLatencyRatio", out _).Should().BeFalse("'off' switches a criterion off");

        var status = await Run("rollout", "status", "house", "--store", _store);
        status.ExitCode.Should().Be(ExitCodes.Ok, status.ToString());
        status.Output.Should().Contain("shadow of v2 against v1 (house@production), running at 10%")
            .And.Contain("candidate").And.Contain("score p90").And.Contain("agreement").And.Contain("live quality").And.Contain("started");
        (await Run("rollout", "step", "house", "--store", _store, "--json")).Json.GetProperty("verdict").GetProperty("kind").GetString().Should().Be("wait");
    }

    [Fact]
    public async Task Pause_resume_and_promote_by_hand_move_the_alias_and_leave_a_history()
    {
        await Succeed("rollout", "start", "house", "--candidate", "v2", "--store", _store);
        (await Run("rollout", "start", "house", "--candidate", "v2", "--store", _store)).Should().Match<CliResult>(r => r.ExitCode == ExitCodes.BadUsageOrSpec && r.Error.Contains("promote or abort it first"));
        await Succeed("rollout", "pause", "house", "--store", _store);
        (await Run("rollout", "pause", "house", "--store", _store)).ExitCode.Should().Be(ExitCodes.BadUsageOrSpec);
        await Succeed("rollout", "resume", "house", "--store", _store);
        var promoted = (await Succeed("rollout", "promote", "house", "--reason", "looks fine", "--store", _store, "--json")).Json.GetProperty("rollout");

        promoted.GetProperty("state").GetString().Should().Be("promoted");
        promoted.GetProperty("aliasMoved").GetBoolean().Should().BeTrue();
        promoted.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("action").GetString())
            .Should().Equal("started", "paused", "resumed", "promoted", "aliasMoved");
        (await new FileModelStore(_store).FindAliasAsync("house", "production"))!.Version.Should().Be("v2");
        (await Run("rollout", "wait", "house", "--store", _store)).ExitCode.Should().Be(ExitCodes.Ok);
    }

    [Fact]
    public async Task Abort_rolls_back_and_wait_reports_it_with_its_exit_code()
    {
        await Succeed("rollout", "start", "house", "--candidate", "v2", "--store", _store);
        await Succeed("rollout", "abort", "house", "--reason", "wrong build", "--store", _store);

        var waited = await Run("rollout", "wait", "house", "--store", _store);
        waited.ExitCode.Should().Be(ExitCodes.RolledBack, waited.ToString());
        waited.Output.Should().Contain("rolled back").And.Contain("abort by hand: wrong build");
        (await new FileModelStore(_store).FindAliasAsync("house", "production"))!.Version.Should().Be("v1");
    }

    [Fact]
    public async Task Wait_exits_7_when_the_rollout_is_still_running_at_the_timeout()
    {
        // Five minutes a step and no traffic: nothing can end the rollout within the one-second wait.
        await Succeed("rollout", "start", "house", "--candidate", "v2", "--step-time", "5m", "--store", _store);

        var waited = await Run("rollout", "wait", "house", "--timeout", "1s", "--interval", "1s", "--store", _store);

        waited.ExitCode.Should().Be(ExitCodes.StillRunning, waited.ToString());
        waited.Error.Should().Contain("rollout of house still running at");
        (await new FileModelStore(_store).FindAliasAsync("house", "production"))!.Version.Should().Be("v1");
    }

    [Fact]
    public async Task Figures_files_are_kept_in_the_history_when_a_rollout_ends_and_deleted_then_and_before_the_next_start()
    {
        var rollouts = new RolloutStore(new FileModelStore(_store));
        await rollouts.WriteFiguresAsync(Figures("gone-replica", "an-earlier-rollout", DateTimeOffset.UnixEpoch));
        await Succeed("rollout", "start", "house", "--candidate", "v2", "--store", _store);
        (await rollouts.Store.ListDocumentsAsync("house", ReplicaFigures.Folder)).Should().BeEmpty("a new rollout starts without the files of the last one");

        var record = (await rollouts.ReadAsync("house"))!;
        await rollouts.WriteFiguresAsync(Figures("replica-a", record.Id, record.StepStartedUtc));
        var aborted = (await Succeed("rollout", "abort", "house", "--store", _store, "--json")).Json.GetProperty("rollout");

        aborted.GetProperty("history")[1].GetProperty("figures").GetProperty("v2").GetProperty("requests").GetInt64().Should().Be(7);
        (await rollouts.Store.ListDocumentsAsync("house", ReplicaFigures.Folder)).Should().BeEmpty("the figures that ended it are in the history");
    }

    private static ReplicaFigures Figures(string replica, string rolloutId, DateTimeOffset step) => new()
    {
        Model = "house",
        RolloutId = rolloutId,
        StepStartedUtc = step,
        Replica = replica,
        WrittenUtc = DateTimeOffset.UtcNow,
        Versions = new() { ["v1"] = new VersionFigures { Requests = 70 }, ["v2"] = new VersionFigures { Requests = 7 } },
    };

    [Theory]
    [InlineData(ExitCodes.StoreError, "Alias house@canary does not exist", "rollout", "start", "house", "--candidate", "v2", "--alias", "canary")]
    [InlineData(ExitCodes.StoreError, "house:v9", "rollout", "start", "house", "--candidate", "v9")]
    [InlineData(ExitCodes.BadUsageOrSpec, "nothing to roll out", "rollout", "start", "house", "--candidate", "v1")]
    [InlineData(ExitCodes.BadUsageOrSpec, "steps: weights must increase", "rollout", "start", "house", "--candidate", "v2", "--steps", "50,10,100")]
    [InlineData(ExitCodes.BadUsageOrSpec, "--step-time 'soon'", "rollout", "start", "house", "--candidate", "v2", "--step-time", "soon")]
    [InlineData(ExitCodes.BadUsageOrSpec, "--min-agreement 'most'", "rollout", "start", "house", "--candidate", "v2", "--min-agreement", "most")]
    [InlineData(ExitCodes.BadUsageOrSpec, "criteria.minQualityLabels: at least 1", "rollout", "start", "house", "--candidate", "v2", "--min-quality-labels", "0")]
    [InlineData(ExitCodes.StoreError, "has no rollout", "rollout", "status", "house")]
    [InlineData(ExitCodes.BadUsageOrSpec, "--step-time '1e300h' is not a duration", "rollout", "start", "house", "--candidate", "v2", "--step-time", "1e300h")]
    [InlineData(ExitCodes.BadUsageOrSpec, "--step-time 'NaNs' is not a duration", "rollout", "start", "house", "--candidate", "v2", "--step-time", "NaNs")]
    [InlineData(ExitCodes.BadUsageOrSpec, "--step-time '-5m' is not a duration", "rollout", "start", "house", "--candidate", "v2", "--step-time", "-5m")]
    [InlineData(ExitCodes.BadUsageOrSpec, "stepTime: more than zero and at most 30 days", "rollout", "start", "house", "--candidate", "v2", "--step-time", "60.00:00:00")]
    [InlineData(ExitCodes.BadUsageOrSpec, "steps: every weight between 1 and 100 percent", "rollout", "start", "house", "--candidate", "v2", "--steps", "0,100")]
    [InlineData(ExitCodes.BadUsageOrSpec, "'99999999999' is not a whole percent", "rollout", "start", "house", "--candidate", "v2", "--steps", "5,99999999999")]
    [InlineData(ExitCodes.BadUsageOrSpec, "steps: between 1 and 20 weights", "rollout", "start", "house", "--candidate", "v2", "--steps", ",")]
    [InlineData(ExitCodes.BadUsageOrSpec, "--max-error-rate 'NaN' is not a number", "rollout", "start", "house", "--candidate", "v2", "--max-error-rate", "NaN")]
    [InlineData(ExitCodes.BadUsageOrSpec, "criteria.maxErrorRate: between 0 and 1", "rollout", "start", "house", "--candidate", "v2", "--max-error-rate", "2")]
    [InlineData(ExitCodes.BadUsageOrSpec, "criteria.minRequests", "rollout", "start", "house", "--candidate", "v2", "--min-requests", "-1")]
    [InlineData(ExitCodes.BadUsageOrSpec, "stickyHeader", "rollout", "start", "house", "--candidate", "v2", "--sticky-header", "X User")]
    [InlineData(ExitCodes.BadUsageOrSpec, "nothing to roll out", "rollout", "start", "house", "--candidate", "@production")]
    [InlineData(ExitCodes.BadUsageOrSpec, "sideways", "rollout", "start", "house", "--candidate", "v2", "--mode", "sideways")]
    public async Task Bad_requests_exit_with_their_documented_code_and_say_why(int code, string message, params string[] args)
    {
        var result = await Run([.. args, "--store", _store]);
        result.ExitCode.Should().Be(code, result.ToString());
        result.Error.Should().Contain(message);
    }

    [Fact]
    public async Task A_corrupt_record_is_reported_naming_the_file()
    {
        await new FileModelStore(_store).WriteDocumentAsync("house", RolloutRecord.FileName, JsonSerializer.SerializeToUtf8Bytes(new { model = "house" }), DocumentCondition.None);
        var result = await Run("rollout", "status", "house", "--store", _store);
        result.ExitCode.Should().Be(ExitCodes.StoreError);
        result.Error.Should().Contain("house/rollout.json: invalid rollout record");
    }

    private static Task<CliResult> Run(params string[] args) => StoreCli.RunAsync(args);

    private static async Task<CliResult> Succeed(params string[] args)
    {
        var result = await StoreCli.RunAsync(args);
        result.ExitCode.Should().Be(ExitCodes.Ok, result.ToString());
        return result;
    }
}
