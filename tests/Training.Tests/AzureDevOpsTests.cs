using MLPipeline.TestSupport;
namespace MLPipeline.Training.Tests;

public class AzureDevOpsTests
{
    [Fact]
    public async Task Under_TF_BUILD_the_report_is_attached_and_metrics_become_output_variables()
    {
        using var dir = new TempFolder();
        var staging = Path.Combine(dir.Path, "staging");
        var result = await CliRunner.RunAsync(
            new Dictionary<string, string?> { ["TF_BUILD"] = "True", ["BUILD_ARTIFACTSTAGINGDIRECTORY"] = staging },
            "train", "pipelines/iris.json", "--store", Path.Combine(dir.Path, "store"), "--version", "v7");

        result.ExitCode.Should().Be(0, result.Output);
        var report = Path.Combine(staging, "reports", "iris-v7", "report.md");
        result.StdOut.Should().Contain($"##vso[task.uploadsummary]{report}");
        File.Exists(report).Should().BeTrue();
        File.Exists(Path.Combine(staging, "reports", "iris-v7", "plot-confusion-matrix.png")).Should().BeTrue();
        result.StdOut.Should().Contain("##vso[task.setvariable variable=modelName;isOutput=true]iris")
            .And.Contain("##vso[task.setvariable variable=modelVersion;isOutput=true]v7")
            .And.Contain("##vso[task.setvariable variable=mainMetric;isOutput=true]MacroAccuracy")
            .And.Contain("##vso[task.setvariable variable=test_MacroAccuracy;isOutput=true]0.")
            .And.Contain("##vso[task.setvariable variable=cv_MacroAccuracy;isOutput=true]0.");
    }

    [Fact]
    public async Task Outside_Azure_DevOps_no_logging_commands_are_written()
    {
        using var dir = new TempFolder();
        var result = await CliRunner.RunAsync("train", "pipelines/linear-2x-minus-1.json", "--store", Path.Combine(dir.Path, "store"));

        result.ExitCode.Should().Be(0, result.Output);
        result.Output.Should().NotContain("##vso[");
    }
}
