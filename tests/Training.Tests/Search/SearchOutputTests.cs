using System.Text.Json;
using System.Text.Json.Nodes;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;
using MLPipeline.Training.Search;

namespace MLPipeline.Training.Tests.Search;

/// <summary>Every trial of a search (configuration, rung, metric, time) is in the console's table, the manifest and the report.</summary>
public class SearchOutputTests
{
    private const string IrisSpace = """
        [{ "name": "LbfgsMaximumEntropy", "space": { "L2Regularization": { "float": [0.01, 10], "log": true }, "L1Regularization": { "float": [0.001, 1], "log": true } } }]
        """;

    [Fact]
    public async Task A_halving_run_shows_every_trial_in_the_output_the_manifest_and_the_report()
    {
        using var dir = new TempFolder();
        var spec = TestSpec.OverBundledData("iris-halving", "iris.csv", "species", "multiclass", JsonNode.Parse(IrisSpace)!).With("folds", 3)
            .With("search", new { strategy = "halving", trials = 7, eta = 2, seed = 3 }).With("export", new { onnx = false }).WriteTo(dir);

        var result = await CliRunner.RunAsync("train", spec, "--store", Path.Combine(dir.Path, "store"));

        result.ExitCode.Should().Be(0, result.Output);
        var manifest = (await new FileModelStore(Path.Combine(dir.Path, "store")).ListVersionsAsync("iris-halving")).Should().ContainSingle().Subject;
        var search = manifest.Search!;
        search.Strategy.Should().Be("halving");
        search.Seed.Should().Be(3);
        search.Trials.Select(t => t.Trial).Should().Equal(1, 2, 3, 4, 5, 6, 7);
        search.Trials.Select(t => t.Rung).Should().Equal(0, 0, 0, 0, 1, 1, 2);
        search.Trials.Select(t => t.Fraction).Should().Equal(0.25, 0.25, 0.25, 0.25, 0.5, 0.5, 1);
        search.Trials.Should().OnlyContain(t => t.Trainer == "LbfgsMaximumEntropy" && t.Options!.ContainsKey("L2Regularization") && t.Metric > 0 && t.Seconds > 0);

        // The last rung's configuration is the one fitted, and its cross-validation is the manifest's.
        var top = search.Trials[^1];
        manifest.Trainer.Options!["L2Regularization"].GetDouble().Should().Be(top.Options!["L2Regularization"].GetDouble());
        manifest.Metrics.CrossValidation![manifest.MainMetric].Mean.Should().BeApproximately(top.Metric!.Value, 1e-6);

        var report = await File.ReadAllTextAsync(Path.Combine(dir.Path, "store", "iris-halving", "versions", manifest.Version, "report.md"));
        report.Should().Contain("Search: halving, seed 3, 7 trial(s)");
        foreach (var trial in search.Trials)
        {
            var row = report.Split('\n').Should().ContainSingle(l => l.StartsWith($"| {trial.Trial} |", StringComparison.Ordinal)).Subject;
            row.Should().Contain($"| {trial.Rung} |").And.Contain(trial.Metric!.Value.ToString("F4", System.Globalization.CultureInfo.InvariantCulture));
        }

        result.StdOut.Should().Contain("halving search, seed 3, 7 trial(s)");
        result.StdOut.Split('\n').Count(l => l.Contains("LbfgsMaximumEntropy(L1Regularization=", StringComparison.Ordinal)).Should().Be(7);
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_trials_on_one_thread_and_on_several()
    {
        var spec = BundledSearch.Spec("iris", JsonNode.Parse(IrisSpace), new JsonObject { ["strategy"] = "halving", ["trials"] = 7, ["eta"] = 2 });

        var one = await BundledSearch.RunAsync(spec, parallelism: 1);
        var four = await BundledSearch.RunAsync(spec, parallelism: 4);

        static string Describe(SearchOutcome o) => JsonSerializer.Serialize(o.Trials.Select(t => new { t.Trial, t.Rung, t.Candidate.DisplayName, t.CrossValidation }));
        Describe(four).Should().Be(Describe(one));
        four.Best.Trial.Should().Be(one.Best.Trial);
    }
}
