using MLPipeline.Shared.Manifest;
using MLPipeline.TestSupport;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Gates;
using MLPipeline.Training.Runs;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Tests;

public class GateTests
{
    private static readonly Dictionary<string, double> Test = new() { ["RSquared"] = 0.7, ["RootMeanSquaredError"] = 3.0 };
    private static readonly Dictionary<string, MetricSummary> Cv = new() { ["RSquared"] = new(0.9, 0.01), ["RootMeanSquaredError"] = new(2.0, 0.1) };

    private static QualityGate Gate(string key, string condition, int folds = 5) =>
        QualityGate.ParseAll(new TrainingSpec
        {
            Name = "m",
            Data = new DataSpec { Path = "d.csv" },
            Label = "y",
            Task = ModelTask.Regression,
            Trainers = [],
            Folds = folds,
            Gates = new Dictionary<string, string> { [key] = condition },
            SourcePath = "/specs/m.json",
        }).Single();

    [Theory]
    [InlineData("RSquared", ">= 0.9", true, 0.9)]
    [InlineData("RSquared", "> 0.9", false, 0.9)]
    [InlineData("rsquared", "< 0.95", true, 0.9)]
    [InlineData("test:RSquared", ">= 0.8", false, 0.7)]
    [InlineData("cv:RootMeanSquaredError", "<= 2.5", true, 2.0)]
    [InlineData("test:RootMeanSquaredError", "<= 2.5", false, 3.0)]
    public void Gates_compare_the_chosen_split_with_the_threshold(string key, string condition, bool passes, double actual)
    {
        var (passed, value) = Gate(key, condition).Check(Test, Cv);

        passed.Should().Be(passes);
        value.Should().Be(actual);
    }

    [Fact]
    public void Default_gate_uses_the_test_split_when_there_is_no_cross_validation()
    {
        Gate("RSquared", ">= 0.8", folds: 0).Check(Test, null).Should().Be((false, 0.7));
    }

    [Fact]
    public void Gate_on_an_unknown_metric_is_a_spec_error_listing_the_metrics()
    {
        var act = () => Gate("AreaUnderRocCurve", ">= 0.9");

        act.Should().Throw<SpecException>().Which.Message.Should().Contain("names no regression metric").And.Contain("RSquared");
    }

    [Fact]
    public void Cross_validation_gate_without_folds_is_a_spec_error()
    {
        var act = () => Gate("cv:RSquared", ">= 0.9", folds: 0);

        act.Should().Throw<SpecException>().Which.Message.Should().Contain("needs cross-validation");
    }

    [Fact]
    public void Failed_gates_stop_the_run_with_one_line_per_gate()
    {
        using var dir = new TempFolder();
        var spec = SpecLoader.Load(TestSpec.OverBundledData("g", "iris.csv", "species", "multiclass", "LbfgsMaximumEntropy")
            .With("testFraction", 0.2).WithoutCrossValidation()
            .WithJson("gates", """{ "MacroAccuracy": ">= 1.01", "LogLoss": "<= 0.0001", "MicroAccuracy": ">= 0.5" }""").WriteTo(dir));

        var act = () => new TrainingRun(spec, SilentProgress.Instance).Execute();

        act.Should().Throw<GateFailedException>().Which.Failures.Should().HaveCount(2)
            .And.Contain(f => f.StartsWith("test:MacroAccuracy >= 1.01", StringComparison.Ordinal))
            .And.Contain(f => f.StartsWith("test:LogLoss <= 0.0001", StringComparison.Ordinal));
    }

    [Fact]
    public void Prediction_expectations_are_gates_too()
    {
        using var dir = new TempFolder();
        var spec = SpecLoader.Load(RepositoryRoot.Spec("five-points")) with { Expectations = [new(new Dictionary<string, System.Text.Json.JsonElement> { ["x"] = System.Text.Json.JsonDocument.Parse("0").RootElement }, 5.0, 0.01)] };

        var act = () => new TrainingRun(spec, SilentProgress.Instance).Execute();

        act.Should().Throw<GateFailedException>().Which.Failures.Should().ContainSingle().Which.Should().Contain("score(x=0) = 5");
    }
}
