using System.Buffers.Binary;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MLPipeline.Shared.Manifest;
using MLPipeline.TestSupport;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Reports;
using MLPipeline.Training.Runs;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Tests;

public partial class ReportTests
{
    [Theory]
    [InlineData("house-prices.csv", "MEDV", "regression", "FastTree", new[] { "plot-predicted-vs-actual.png", "plot-residuals.png", "plot-residual-histogram.png", "plot-feature-importance.png" })]
    [InlineData("breast-cancer.csv", "malignant", "binary", "LbfgsLogisticRegression", new[] { "plot-roc.png", "plot-precision-recall.png", "plot-calibration.png", "plot-confusion-matrix.png", "plot-feature-importance.png" })]
    [InlineData("iris.csv", "species", "multiclass", "LbfgsMaximumEntropy", new[] { "plot-confusion-matrix.png", "plot-per-class-recall.png", "plot-feature-importance.png" })]
    public void Every_run_writes_a_report_with_valid_plots_of_the_expected_size(string data, string label, string task, string trainer, string[] plots)
    {
        using var dir = new TempFolder();
        var second = trainer switch
        {
            "FastTree" => "LightGbm",
            "LbfgsLogisticRegression" => "FastTree",
            _ => "SdcaMaximumEntropy",
        };
        var spec = SpecLoader.Load(TestSpec.OverBundledData("r", data, label, task, new JsonArray(trainer, second)).With("testFraction", 0.2).With("folds", 2).WriteTo(dir));

        using var run = TrainedInProcess.Train(spec);
        var result = run.Result;

        foreach (var plot in plots)
        {
            var path = Path.Combine(result.PackageDirectory, plot);
            File.Exists(path).Should().BeTrue(plot);
            var (width, height) = PngSize(File.ReadAllBytes(path));
            (width, height).Should().Be((800, 600), plot);
            new FileInfo(path).Length.Should().BeGreaterThan(5_000, $"{plot} should hold a drawing, not an empty canvas");
            result.Manifest.Artifacts.Should().ContainKey(plot, "plots are verified artifacts of the version");
        }

        var report = File.ReadAllText(Path.Combine(result.PackageDirectory, TrainingReport.FileName));
        result.Manifest.Artifacts.Should().ContainKey(TrainingReport.FileName);
        var main = result.Manifest.MainMetric;
        report.Should().Contain($"| {main} (main) | {result.Manifest.Metrics.Test[main].ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)} |");
        report.Should().Contain("## Trainer comparison").And.Contain("## Feature importance").And.Contain("## Data");
        var links = ImageLink().Matches(report).Select(m => m.Groups[1].Value).ToList();
        links.Should().BeEquivalentTo(plots, "the report shows every plot, and only files that exist");
        result.Manifest.FeatureImportance.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public void Classification_report_shows_the_class_balance()
    {
        using var dir = new TempFolder();
        var spec = SpecLoader.Load(TestSpec.OverBundledData("r", "iris.csv", "species", "multiclass", "LbfgsMaximumEntropy").With("testFraction", 0.2).WithoutCrossValidation().WriteTo(dir));

        using var run = TrainedInProcess.Train(spec);
        var result = run.Result;

        File.ReadAllText(Path.Combine(result.PackageDirectory, TrainingReport.FileName))
            .Should().Contain("| setosa | 50 | 33.3% |").And.Contain("| versicolor | 50 |").And.Contain("| virginica | 50 |");
    }

    /// <summary>Reads width and height from a PNG's signature and IHDR chunk; throws when it is not a PNG.</summary>
    private static (int Width, int Height) PngSize(byte[] png)
    {
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        png.AsSpan(0, 8).SequenceEqual(signature).Should().BeTrue("a PNG starts with its signature");
        System.Text.Encoding.ASCII.GetString(png, 12, 4).Should().Be("IHDR");
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    [GeneratedRegex(@"!\[[^\]]*\]\(([^)]+)\)")]
    private static partial Regex ImageLink();
}
