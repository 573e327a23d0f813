using System.Text.Json.Nodes;
using MLPipeline.Shared.Manifest;
using MLPipeline.TestSupport;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Onnx;
using MLPipeline.Training.Runs;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Tests.Onnx;

/// <summary>
/// What our exporter refuses and what the official fallback then does; a model neither handles is published
/// without ONNX with both reasons (default export) or fails the run (explicit export).
/// </summary>
public sealed class OnnxRefusalTests
{
    private static readonly object HomeAsText = new Dictionary<string, string> { ["Home"] = "text" };

    [Fact]
    public void Text_column_is_refused_by_our_exporter_and_exported_by_the_official_converter_instead()
    {
        var spec = OnnxTestSpecs.Quick("credit-text", "credit.csv", "Status", "binary", "LbfgsLogisticRegression").With("columns", HomeAsText).With("positiveClass", "bad").With("export", new { onnx = true });

        using var run = TrainedInProcess.Train(spec);

        var onnx = run.Result.Manifest.Onnx!;
        onnx.Exported.Should().BeTrue(onnx.Reason);
        onnx.Exporter.Should().Be("Microsoft.ML.OnnxConverter");
        onnx.FallbackReason.Should().Be("Transform FeaturizeText on column 'Home' cannot be exported to ONNX (text featurization is not supported by the exporter).");
        onnx.MaxAbsoluteDifference.Should().BeLessThanOrEqualTo(1e-5);
        File.Exists(run.ModelOnnx).Should().BeTrue();
    }

    [Fact]
    public void Two_text_columns_are_refused_by_both_exporters_naming_the_columns()
    {
        var twoTextColumns = new Dictionary<string, string> { ["Home"] = "text", ["Job"] = "text" };
        var spec = OnnxTestSpecs.Quick("credit-two-texts", "credit.csv", "Status", "binary", "LbfgsLogisticRegression").With("columns", twoTextColumns).With("positiveClass", "bad");

        using var run = TrainedInProcess.Train(spec);

        run.Result.Manifest.Onnx!.Exported.Should().BeFalse();
        run.Result.Manifest.Onnx.Reason.Should().StartWith("Transform FeaturizeText on column 'Home' cannot be exported to ONNX")
            .And.Contain("Microsoft.ML.OnnxConverter 0.23.1 cannot convert a model with 2 text columns ('Home', 'Job')");
        File.Exists(run.ModelOnnx).Should().BeFalse();
    }

    [Theory]
    [InlineData("LightGbm", "UseCategoricalSplit", "splits on feature -1")]
    [InlineData("FastTree", "CategoricalSplit", "ONNX Runtime disagrees with ML.NET")]
    public void Categorical_tree_splits_are_refused_by_both_exporters_and_published_without_onnx(string trainer, string option, string failure)
    {
        var withCategoricalSplits = new JsonObject { ["name"] = trainer, ["options"] = new JsonObject { [option] = true } };
        var spec = OnnxTestSpecs.Quick("credit-categorical-splits", "credit.csv", "Status", "binary", withCategoricalSplits).With("positiveClass", "bad");

        using var run = TrainedInProcess.Train(spec);

        // Neither exporter gives a usable file: the official converter writes one that ONNX Runtime would refuse
        // (LightGbm: a split on feature -1, caught before ONNX Runtime sees it) or that scores differently
        // (FastTree): parity keeps it out.
        run.Result.Manifest.Onnx!.Exported.Should().BeFalse();
        run.Result.Manifest.Onnx.Reason.Should().StartWith($"Trainer {trainer} uses categorical tree splits, which the ONNX exporter refuses (train without categorical splits to export). The fallback, Microsoft.ML.OnnxConverter 0.23.1, gave no usable file either: ")
            .And.Contain(failure);
        run.Result.Manifest.Artifacts.Should().NotContainKey(ModelManifest.OnnxFileName);
        File.Exists(run.ModelOnnx).Should().BeFalse();
        File.Exists(run.ModelZip).Should().BeTrue();
    }

    [Fact]
    public void A_model_neither_exporter_handles_fails_the_run_when_the_spec_asks_for_onnx_explicitly()
    {
        var withCategoricalSplits = new JsonObject { ["name"] = "FastTree", ["options"] = new JsonObject { ["CategoricalSplit"] = true } };
        var spec = OnnxTestSpecs.Quick("credit-categorical-splits", "credit.csv", "Status", "binary", withCategoricalSplits).With("positiveClass", "bad").With("export", new { onnx = true });

        using var folder = new TempFolder();
        var scratch = Directory.CreateDirectory(Path.Combine(folder.Path, "scratch")).FullName;
        var train = () => new TrainingRun(SpecLoader.Load(spec.WriteTo(folder)), SilentProgress.Instance) { ScratchFolder = scratch }.Execute();

        train.Should().Throw<OnnxExportException>().Which.Should().NotBeOfType<OnnxParityException>()
            .And.Subject.As<OnnxExportException>().Message.Should().Contain("categorical tree splits").And.Contain("Microsoft.ML.OnnxConverter");
        Directory.EnumerateFiles(scratch, "*", SearchOption.AllDirectories).Should().BeEmpty("no half-made package (model.zip, plots) and no stored rows stay behind");
    }

    [Fact]
    public void Export_switched_off_writes_no_onnx_and_says_so()
    {
        var spec = OnnxTestSpecs.Quick("iris-no-onnx", "iris.csv", "species", "multiclass", "LbfgsMaximumEntropy").With("export", new { onnx = false });

        using var run = TrainedInProcess.Train(spec);

        run.Result.Manifest.Onnx!.Exported.Should().BeFalse();
        run.Result.Manifest.Onnx.Reason.Should().Contain("export.onnx");
        File.Exists(run.ModelOnnx).Should().BeFalse();
    }
}
