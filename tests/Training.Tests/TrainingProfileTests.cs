using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Monitoring;
using MLPipeline.TestSupport;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Runs;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Tests;

/// <summary>The training profile written into the manifest (the service's drift reference) and the spec's monitoring.exclude.</summary>
public sealed class TrainingProfileTests
{
    [Fact]
    public void The_manifest_profiles_the_training_split_and_the_test_scores()
    {
        using var dir = new TempFolder();
        var spec = SpecLoader.Load(TestSpec.OverBundledData("penguins-profile", "penguins.csv", "species", "multiclass", "LbfgsMaximumEntropy")
            .With("testFraction", 0.2).WithoutCrossValidation().With("columns", new { year = "ignore" }).With("monitoring", new { exclude = new[] { "sex" } }).WriteTo(dir));
        using var run = TrainedInProcess.Train(spec);
        var manifest = run.Manifest;

        var profile = manifest.Profile!;
        ManifestValidator.FindProblem(manifest).Should().BeNull();
        manifest.Monitoring!.Exclude.Should().Equal("sex");
        profile.Rows.Should().Be(manifest.TrainingData.TrainRows);
        profile.Columns.Keys.Should().BeEquivalentTo("island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex");

        // Deciles: ten bins of about a tenth of the present rows each; the data's missing measurements are their own share.
        var bill = profile.Columns["bill_length_mm"];
        bill.Edges.Should().HaveCount(9);
        bill.MissingShare.Should().BeGreaterThan(0).And.BeLessThan(0.02);
        bill.Shares.Should().OnlyContain(s => s > 0.07 && s < 0.13);
        var island = profile.Columns["island"];
        island.Categories.Should().BeEquivalentTo("Biscoe", "Dream", "Torgersen");
        island.Shares[^1].Should().Be(0, "every island is listed, so nothing is other");

        // The score of a multiclass model is its predicted class on the test split.
        profile.Score!.Categories.Should().BeSubsetOf(manifest.Label.Classes!);

        // Training rows binned against their own profile are stable.
        PopulationStability.Index(island.ExpectedShares(), [.. island.ExpectedShares().Select(s => (long)Math.Round(s * 1000))]).Should().BeLessThan(0.001);
    }

    [Fact]
    public void Monitoring_exclude_naming_no_input_column_is_a_spec_error()
    {
        using var dir = new TempFolder();
        var spec = SpecLoader.Load(TestSpec.OverBundledData("penguins-bad-exclude", "penguins.csv", "species", "multiclass", "LbfgsMaximumEntropy")
            .With("testFraction", 0.2).WithoutCrossValidation().With("monitoring", new { exclude = new[] { "species" } }).WriteTo(dir));

        FluentActions.Invoking(() => new TrainingRun(spec, SilentProgress.Instance).Execute())
            .Should().Throw<SpecException>().WithMessage("*monitoring.exclude names 'species', which is not an input column of the model.");
    }
}
