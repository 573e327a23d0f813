using System.Text.Json.Nodes;
using MLPipeline.Shared.Manifest;
using MLPipeline.TestSupport;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Runs;
using MLPipeline.Training.Specs;
using MLPipeline.Training.Trainers;

namespace MLPipeline.Training.Tests;

public class TrainerTests
{
    public static TheoryData<string, string> AllTrainers()
    {
        var data = new TheoryData<string, string>();
        foreach (var trainer in TrainerCatalog.All)
        {
            data.Add(trainer.Task.ToString(), trainer.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllTrainers))]
    public void Every_trainer_learns_its_bundled_data_set(string task, string trainer)
    {
        using var dir = new TempFolder();
        var (file, label, metric, floor) = Enum.Parse<ModelTask>(task) switch
        {
            ModelTask.Regression => ("house-prices.csv", "MEDV", "RSquared", 0.55),
            ModelTask.Binary => ("breast-cancer.csv", "malignant", "AreaUnderRocCurve", 0.95),
            _ => ("iris.csv", "species", "MacroAccuracy", 0.85),
        };
        // Online gradient descent needs more than its default single pass over 400 rows.
        var trainers = trainer == "OnlineGradientDescent" ? JsonNode.Parse("""{ "name": "OnlineGradientDescent", "options": { "NumberOfIterations": 100, "LearningRate": 0.05 } }""")! : trainer;
        var spec = SpecLoader.Load(TestSpec.OverBundledData("t", file, label, task.ToLowerInvariant(), trainers).With("testFraction", 0.2).WithoutCrossValidation().WriteTo(dir));

        using var run = TrainedInProcess.Train(spec);
        var result = run.Result;

        result.Manifest.Trainer.Name.Should().Be(trainer);
        result.Manifest.Metrics.Test[metric].Should().BeGreaterThan(floor, $"{trainer} should learn {file}");
    }

    [Fact]
    public void Several_trainers_are_compared_by_cross_validation_and_the_best_wins()
    {
        using var dir = new TempFolder();
        var spec = SpecLoader.Load(TestSpec.OverBundledData("cmp", "house-prices.csv", "MEDV", "regression", JsonNode.Parse(
            """[ { "name": "OnlineGradientDescent", "options": { "NumberOfIterations": 1 } }, { "name": "FastTree", "grid": { "NumberOfLeaves": [4, 8] } } ]""")!)
            .With("testFraction", 0.2).With("folds", 3).WriteTo(dir));

        using var run = TrainedInProcess.Train(spec);
        var result = run.Result;

        result.Comparison.Should().HaveCount(3);
        result.Comparison.Should().OnlyContain(r => r.CrossValidation != null && r.CrossValidation["RSquared"].StdDev >= 0);
        var best = result.Comparison.MaxBy(r => r.CrossValidation!["RSquared"].Mean)!;
        result.Winner.Should().Be(best.Candidate);
        result.Manifest.Trainer.Name.Should().Be("FastTree");
        result.Manifest.Metrics.CrossValidation.Should().ContainKey("RSquared");
    }

    [Fact]
    public void Unknown_trainer_option_is_refused_with_the_known_options()
    {
        using var dir = new TempFolder();
        var spec = SpecLoader.Load(TestSpec.OverBundledData("t", "iris.csv", "species", "multiclass", JsonNode.Parse("""{ "name": "LightGbm", "options": { "NumberOfLeavs": 8 } }""")!).With("testFraction", 0.2).WithoutCrossValidation().WriteTo(dir));

        var act = () => new TrainingRun(spec, SilentProgress.Instance).Execute();

        act.Should().Throw<SpecException>().Which.Message.Should().Contain("unknown option 'NumberOfLeavs'").And.Contain("NumberOfLeaves");
    }

    [Fact]
    public void Option_of_the_wrong_type_is_refused_naming_the_expected_type()
    {
        using var dir = new TempFolder();
        var spec = SpecLoader.Load(TestSpec.OverBundledData("t", "iris.csv", "species", "multiclass", JsonNode.Parse("""{ "name": "LightGbm", "options": { "NumberOfLeaves": 2.5 } }""")!).With("testFraction", 0.2).WithoutCrossValidation().WriteTo(dir));

        var act = () => new TrainingRun(spec, SilentProgress.Instance).Execute();

        act.Should().Throw<SpecException>().Which.Message.Should().Contain("option 'NumberOfLeaves' expects");
    }

    [Fact]
    public void Trainer_of_another_task_is_refused_with_the_trainers_of_this_task()
    {
        using var dir = new TempFolder();
        var spec = SpecLoader.Load(TestSpec.OverBundledData("t", "iris.csv", "species", "multiclass", "Sdca").With("testFraction", 0.2).WithoutCrossValidation().WriteTo(dir));

        var act = () => new TrainingRun(spec, SilentProgress.Instance).Execute();

        act.Should().Throw<SpecException>().Which.Message.Should().Contain("'Sdca' is not available for a multiclass task").And.Contain("LbfgsMaximumEntropy");
    }

    [Fact]
    public void Same_spec_and_seed_train_the_same_model()
    {
        using var dir = new TempFolder();
        var spec = SpecLoader.Load(TestSpec.OverBundledData("t", "house-prices.csv", "MEDV", "regression", "Sdca").With("testFraction", 0.2).WithoutCrossValidation().WriteTo(dir));

        using var first = TrainedInProcess.Train(spec);
        using var second = TrainedInProcess.Train(spec);

        second.Manifest.Metrics.Test.Should().Equal(first.Manifest.Metrics.Test);
    }
}
