using MLPipeline.Shared.Rollout;

namespace MLPipeline.Shared.Tests.Rollout;

public sealed class RolloutDecisionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static RolloutRecord Record(RolloutMode mode = RolloutMode.Canary, RolloutCriteria? criteria = null) =>
        RolloutTransitions.Start("house", "production", "v1", "v2", mode, [10, 50, 100], TimeSpan.FromMinutes(5), null,
            criteria ?? new RolloutCriteria { MinRequests = 100 }, "test", T0);

    /// <summary>Figures of <paramref name="requests"/> requests with scores drawn around <paramref name="center"/>.</summary>
    private static VersionFigures Figures(int requests, int errors = 0, double center = 20, double spread = 10, double latencyMs = 0.2)
    {
        var figures = new VersionFigures { Requests = requests, Errors = errors };
        for (var i = 0; i < requests; i++)
        {
            figures.LatencyMs.Add(latencyMs * (1 + (i % 10 / 100.0)));
            figures.Scores.Add(center + (spread * ((i % 101) / 100.0 - 0.5)));
        }

        return figures;
    }

    private static RolloutFigures Sum(RolloutRecord record, VersionFigures stable, VersionFigures candidate, string? problem = null) =>
        RolloutFigures.Sum(record, [new ReplicaFigures
        {
            Model = "house", RolloutId = record.Id, StepStartedUtc = record.StepStartedUtc, Replica = "r1", WrittenUtc = T0,
            Versions = new() { ["v1"] = stable, ["v2"] = candidate }, CandidateProblem = problem,
        }]);

    [Fact]
    public void A_good_candidate_waits_for_the_step_time_then_steps_and_reaching_100_promotes()
    {
        var record = Record();
        var figures = Sum(record, Figures(900), Figures(100));

        RolloutDecision.Decide(record, figures, T0.AddMinutes(4)).Kind.Should().Be(RolloutVerdictKind.Wait);
        var step = RolloutDecision.Decide(record, figures, T0.AddMinutes(5));
        step.Kind.Should().Be(RolloutVerdictKind.Step);
        step.NextStep.Should().Be(1);

        var next = RolloutTransitions.Apply(record, step, figures, "r1", T0.AddMinutes(5));
        next.Weight.Should().Be(50);
        next.History[^1].Figures!["v2"].Requests.Should().Be(100);
        var nextFigures = Sum(next, Figures(500), Figures(500));
        RolloutDecision.Decide(next, nextFigures, T0.AddMinutes(10)).Kind.Should().Be(RolloutVerdictKind.Promote);
    }

    [Fact]
    public void Too_few_requests_wait_however_long_the_step_ran()
    {
        var record = Record();
        var verdict = RolloutDecision.Decide(record, Sum(record, Figures(900), Figures(99)), T0.AddHours(1));
        verdict.Kind.Should().Be(RolloutVerdictKind.Wait);
        verdict.Reason.Should().Contain("candidate 99");
    }

    [Fact]
    public void Figures_of_another_step_or_rollout_do_not_count()
    {
        var record = Record();
        var old = new ReplicaFigures
        {
            Model = "house",
            RolloutId = record.Id,
            StepStartedUtc = T0.AddMinutes(-5),
            Replica = "r1",
            WrittenUtc = T0,
            Versions = new() { ["v2"] = Figures(500) },
        };
        RolloutFigures.Sum(record, [old, old with { RolloutId = "other", StepStartedUtc = T0 }]).Of("v2").Requests.Should().Be(0);
    }

    [Theory]
    [InlineData(2, 0, "error rate")]
    [InlineData(0, 1, "p99 latency")]
    public void A_failed_criterion_rolls_back_before_the_step_ends_naming_it(int candidateErrors, int slowCandidate, string criterion)
    {
        var record = Record();
        var candidate = Figures(100, candidateErrors, latencyMs: slowCandidate == 1 ? 30 : 0.2);
        var verdict = RolloutDecision.Decide(record, Sum(record, Figures(900), candidate), T0.AddSeconds(10));

        verdict.Kind.Should().Be(RolloutVerdictKind.RollBack);
        verdict.Reason.Should().StartWith(criterion);
        var rolledBack = RolloutTransitions.Apply(record, verdict, Sum(record, Figures(900), candidate), "r1", T0.AddSeconds(10));
        rolledBack.State.Should().Be(RolloutState.RolledBack);
        rolledBack.Weight.Should().Be(0);
        rolledBack.History[^1].Reason.Should().StartWith(criterion);
    }

    [Fact]
    public void A_candidate_scoring_around_another_value_is_rolled_back_by_the_score_shift()
    {
        var record = Record();
        var verdict = RolloutDecision.Decide(record, Sum(record, Figures(900), Figures(100, center: 23, spread: 1)), T0.AddSeconds(10));
        verdict.Kind.Should().Be(RolloutVerdictKind.RollBack);
        verdict.Reason.Should().StartWith("score shift");

        RolloutDecision.Decide(record, Sum(record, Figures(900), Figures(100, center: 20.5)), T0.AddMinutes(6)).Kind.Should().Be(RolloutVerdictKind.Step);
    }

    [Fact]
    public void A_score_shift_within_what_chance_gives_for_few_requests_waits_for_more()
    {
        var record = Record();
        var verdict = RolloutDecision.Decide(record, Sum(record, Figures(900), Figures(100, center: 22)), T0.AddMinutes(6));
        verdict.Kind.Should().Be(RolloutVerdictKind.Wait);
        verdict.Reason.Should().StartWith("score shift").And.Contain("more requests will tell");

        RolloutDecision.Decide(record, Sum(record, Figures(9000), Figures(3000, center: 22)), T0.AddMinutes(6)).Kind.Should().Be(RolloutVerdictKind.RollBack);
    }

    [Fact]
    public void Shadow_agreement_below_the_minimum_rolls_back_and_regression_skips_it()
    {
        var record = Record(RolloutMode.Shadow);
        var candidate = Figures(200);
        candidate.ComparedRows = candidate.LabelledRows = 200;
        candidate.AgreedRows = 180;
        var verdict = RolloutDecision.Decide(record, Sum(record, Figures(900), candidate), T0.AddSeconds(10));
        verdict.Kind.Should().Be(RolloutVerdictKind.RollBack);
        verdict.Reason.Should().Contain("agreement").And.Contain("90%");

        var regression = Figures(200);
        regression.ComparedRows = 200;
        var check = RolloutDecision.Decide(record, Sum(record, Figures(900), regression), T0.AddMinutes(6)).Checks.Single(c => c.Criterion == "agreement");
        check.Outcome.Should().Be(CriterionOutcome.Skipped);
    }

    [Fact]
    public void Live_quality_is_judged_when_both_versions_have_enough_labels()
    {
        var record = Record();
        var figures = Sum(record, Figures(900), Figures(100));
        var worse = new Dictionary<string, LiveQuality>
        {
            ["v1"] = new("Accuracy", 0.91, true, 500),
            ["v2"] = new("Accuracy", 0.62, true, 120),
        };

        var verdict = RolloutDecision.Decide(record, figures with { Quality = worse }, T0.AddSeconds(10));
        verdict.Kind.Should().Be(RolloutVerdictKind.RollBack);
        verdict.Reason.Should().StartWith("live quality").And.Contain("Accuracy");

        var fewLabels = new Dictionary<string, LiveQuality>(worse) { ["v2"] = new("Accuracy", 0.62, true, 20) };
        RolloutDecision.Decide(record, figures with { Quality = fewLabels }, T0.AddMinutes(6)).Kind.Should().Be(RolloutVerdictKind.Wait);
        var lowerIsBetter = new Dictionary<string, LiveQuality> { ["v1"] = new("MAE", 3.0, false, 500), ["v2"] = new("MAE", 3.01, false, 500) };
        RolloutDecision.Decide(record, figures with { Quality = lowerIsBetter }, T0.AddMinutes(6)).Kind.Should().Be(RolloutVerdictKind.Step);
        RolloutDecision.Decide(record, figures, T0.AddMinutes(6)).Checks.Single(c => c.Criterion == "live quality").Outcome.Should().Be(CriterionOutcome.Skipped);
    }

    [Fact]
    public void Live_quality_of_the_replicas_adds_up_label_weighted_and_a_stale_step_is_left_out()
    {
        var record = Record();
        ReplicaFigures Replica(string name, DateTimeOffset step, LiveQuality stable, LiveQuality candidate) => new()
        {
            Model = "house",
            RolloutId = record.Id,
            StepStartedUtc = step,
            Replica = name,
            WrittenUtc = T0,
            Versions = new() { ["v1"] = Figures(450), ["v2"] = Figures(50) },
            Quality = new() { ["v1"] = stable, ["v2"] = candidate },
        };

        var figures = RolloutFigures.Sum(record, [
            Replica("a", record.StepStartedUtc, new("AreaUnderRocCurve", 0.98, true, 300), new("AreaUnderRocCurve", 0.50, true, 60)),
            Replica("b", record.StepStartedUtc, new("AreaUnderRocCurve", 0.96, true, 100), new("AreaUnderRocCurve", 0.56, true, 60)),
            Replica("c", record.StepStartedUtc.AddMinutes(-5), new("AreaUnderRocCurve", 0.10, true, 9000), new("AreaUnderRocCurve", 0.99, true, 9000)),
        ]);

        figures.Quality["v1"].Should().Match<LiveQuality>(q => q.Metric == "AreaUnderRocCurve" && q.HigherIsBetter && q.Labels == 400);
        figures.Quality["v1"].Value.Should().BeApproximately(0.975, 1e-9);
        figures.Quality["v2"].Labels.Should().Be(120);
        figures.Quality["v2"].Value.Should().BeApproximately(0.53, 1e-9);
        figures.Summaries(record)["v2"].Quality.Should().Be(figures.Quality["v2"], "the history and status show what was judged");

        var verdict = RolloutDecision.Decide(record, figures, T0.AddSeconds(10));
        verdict.Kind.Should().Be(RolloutVerdictKind.RollBack);
        verdict.Reason.Should().Contain("live quality: AreaUnderRocCurve candidate 0.53, stable 0.975");
    }

    [Fact]
    public void A_candidate_problem_on_any_replica_rolls_back_at_once()
    {
        var record = Record();
        var verdict = RolloutDecision.Decide(record, Sum(record, Figures(3), Figures(0), problem: "version v2 is gone from the store"), T0);
        verdict.Kind.Should().Be(RolloutVerdictKind.RollBack);
        verdict.Reason.Should().Contain("r1: version v2 is gone");
    }

    [Fact]
    public void Paused_and_ended_rollouts_are_not_judged()
    {
        var paused = RolloutTransitions.Pause(Record(), "me", T0);
        RolloutDecision.Decide(paused, RolloutFigures.Empty, T0.AddDays(1)).Kind.Should().Be(RolloutVerdictKind.Wait);
        var resumed = RolloutTransitions.Resume(paused, "me", T0.AddMinutes(1));
        resumed.StepStartedUtc.Should().Be(T0.AddMinutes(1));
        FluentActions.Invoking(() => RolloutTransitions.Resume(resumed, "me", T0)).Should().Throw<RolloutStateException>().WithMessage("*running, not paused*");
        var promoted = RolloutTransitions.Promote(resumed, "by hand", null, "me", T0);
        FluentActions.Invoking(() => RolloutTransitions.RollBack(promoted, "late", null, "me", T0)).Should().Throw<RolloutStateException>().WithMessage("*already promoted*");
    }

    [Fact]
    public void Histograms_add_up_across_replicas_and_keep_quantiles_within_about_one_percent()
    {
        var a = new ValueHistogram();
        var b = new ValueHistogram();
        for (var i = 1; i <= 1000; i++)
        {
            (i % 2 == 0 ? a : b).Add(i);
            a.Add(-i);
        }

        a.Merge(b);
        a.Count.Should().Be(2000);
        a.Quantile(0.75).Should().BeApproximately(500, 5);
        a.Quantile(0.25).Should().BeApproximately(-500, 5);
        a.Mean.Should().BeApproximately(0, 1e-9);
    }
}
