using System.Text.Json.Nodes;
using MLPipeline.Training.Evaluation;
using MLPipeline.Training.Search;

namespace MLPipeline.Training.Tests.Search;

/// <summary>
/// Random and halving search over a trainer's space find a better cross-validated main metric than the bundled
/// spec's own comparison (its grid), with no more trainings (trials x folds; a halving trial on part of the rows
/// counts as a whole training).
/// </summary>
public class SearchQualityTests
{
    public static TheoryData<string, string, string> Cases() => new()
    {
        { "credit", "random", LightGbmSpace },
        { "credit", "halving", LightGbmSpace },
        { "diabetes", "random", PoissonSpace },
        { "diabetes", "halving", PoissonSpace },
    };

    private const string LightGbmSpace = """
        [{ "name": "LightGbm", "space": {
            "NumberOfLeaves": { "int": [2, 16], "log": true }, "LearningRate": { "float": [0.01, 0.1], "log": true },
            "MinimumExampleCountPerLeaf": { "int": [10, 50] }, "NumberOfIterations": { "int": [50, 300] } } }]
        """;

    private const string PoissonSpace = """
        [{ "name": "LbfgsPoissonRegression", "space": {
            "L2Regularization": { "float": [0.001, 1], "log": true }, "L1Regularization": { "float": [0.001, 1], "log": true } } }]
        """;

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Search_beats_the_bundled_grid_with_no_more_trainings(string bundled, string strategy, string space)
    {
        var grid = BundledSearch.Spec(bundled);
        var gridPlan = SearchPlan.For(grid);
        var searched = BundledSearch.Spec(bundled, JsonNode.Parse(space), new JsonObject { ["strategy"] = strategy, ["trials"] = gridPlan.Trials, ["eta"] = 2 });
        var plan = SearchPlan.For(searched);
        var metric = MetricNames.MainMetric(grid.Task);

        var gridBest = (await BundledSearch.RunAsync(grid)).Best;
        var searchOutcome = await BundledSearch.RunAsync(searched);

        (plan.Trials * searched.Folds).Should().BeLessThanOrEqualTo(gridPlan.Trials * grid.Folds);
        searchOutcome.Trials.Should().HaveCount(plan.Trials).And.OnlyContain(t => !t.Failed);
        searchOutcome.Best.Fraction.Should().Be(1, "the winner is measured on all the rows, like the grid's");
        searchOutcome.Best.Score(metric).Should().Be(searchOutcome.Trials.Where(t => t.Fraction == 1).Max(t => t.Score(metric)));
        searchOutcome.Best.Score(metric).Should().BeGreaterThan(gridBest.Score(metric),
            $"{strategy} found {searchOutcome.Best.Candidate.DisplayName}; the grid's best is {gridBest.Candidate.DisplayName}");
    }
}
