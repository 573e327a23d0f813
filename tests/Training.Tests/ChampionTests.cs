using System.Text.Json.Nodes;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;

namespace MLPipeline.Training.Tests;

/// <summary>train --compare-to: the new model against the version an alias points at, on the same test rows.</summary>
public class ChampionTests
{
    /// <summary>A house-prices spec (always named hp: one model, several versions) written to <paramref name="file"/>.json.</summary>
    private static string Spec(TempFolder dir, string file, JsonNode trainer, double tolerance = 0) =>
        TestSpec.OverBundledData("hp", "house-prices.csv", "MEDV", "regression", trainer).WithoutCrossValidation().With("championTolerance", tolerance)
            .WriteTo(dir, file + ".json");

    private static JsonNode Strong => "FastTree";

    private static JsonNode Weak => JsonNode.Parse("""{ "name": "OnlineGradientDescent", "options": { "NumberOfIterations": 1, "LearningRate": 0.001 } }""")!;

    [Fact]
    public async Task A_worse_challenger_fails_with_exit_3_and_a_better_one_passes()
    {
        using var dir = new TempFolder();
        var store = Path.Combine(dir.Path, "store");
        var champion = await CliRunner.RunAsync("train", Spec(dir, "strong", Strong), "--store", store, "--alias", "production", "--version", "v1");
        champion.ExitCode.Should().Be(0, champion.Output);

        var worse = await CliRunner.RunAsync("train", Spec(dir, "weak", Weak), "--store", store, "--compare-to", "production", "--version", "v2");
        var better = await CliRunner.RunAsync("train", Spec(dir, "strong2", Strong), "--store", store, "--compare-to", "production", "--version", "v3");

        worse.ExitCode.Should().Be(3, worse.Output);
        worse.StdErr.Should().Contain("vs champion production (v1:").And.Contain("Nothing was published");
        better.ExitCode.Should().Be(0, better.Output);
        better.StdOut.Should().Contain("vs champion production (v1:");
        var versions = await new FileModelStore(store).ListVersionsAsync("hp");
        versions.Select(v => v.Version).Should().Equal("v1", "v3");
        var comparison = versions[1].Champion!;
        comparison.Alias.Should().Be("production");
        comparison.Version.Should().Be("v1");
        comparison.Passed.Should().BeTrue();
        comparison.Champion.Should().BeApproximately(comparison.Challenger, 1e-9, "the same trainer, seed and rows make the same model");
        File.ReadAllText(Path.Combine(store, "hp", "versions", "v3", "report.md")).Should().Contain("## Champion vs challenger");
    }

    [Fact]
    public async Task Tolerance_lets_a_slightly_worse_challenger_pass()
    {
        using var dir = new TempFolder();
        var store = Path.Combine(dir.Path, "store");
        (await CliRunner.RunAsync("train", Spec(dir, "strong", Strong), "--store", store, "--alias", "production")).ExitCode.Should().Be(0);

        var result = await CliRunner.RunAsync("train", Spec(dir, "weak", Weak, tolerance: 100), "--store", store, "--compare-to", "production");

        result.ExitCode.Should().Be(0, result.Output);
    }

    [Fact]
    public async Task Without_a_champion_the_run_says_so_and_publishes()
    {
        using var dir = new TempFolder();
        var store = Path.Combine(dir.Path, "store");

        var result = await CliRunner.RunAsync("train", Spec(dir, "strong", Strong), "--store", store, "--compare-to", "production");

        result.ExitCode.Should().Be(0, result.Output);
        result.StdErr.Should().Contain("hp@production does not exist");
        (await new FileModelStore(store).ListVersionsAsync("hp")).Single().Champion.Should().BeNull();
    }
}
