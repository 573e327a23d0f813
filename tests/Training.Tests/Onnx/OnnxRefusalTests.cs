using System.Text.Json.Nodes;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Onnx;

namespace MLPipeline.Training.Tests.Onnx;

/// <summary>What the exporter refuses, and how the run reacts: default export publishes without ONNX and says why; explicit export fails.</summary>
public sealed class OnnxRefusalTests
{
    private static readonly object HomeAsText = new Dictionary<string, string> { ["Home"] = "text" };

    [Fact]
    public void Text_column_with_default_export_publishes_without_onnx_and_names_the_transform_and_column()
    {
        var spec = OnnxTestSpecs.Write("credit-text", "credit.csv", "Status", "binary", JsonValue.Create("LbfgsLogisticRegression"), HomeAsText, positiveClass: "bad");

        using var run = OnnxTestSpecs.Train(spec);

        run.Result.Manifest.Onnx!.Exported.Should().BeFalse();
        run.Result.Manifest.Onnx.Reason.Should().Contain("FeaturizeText").And.Contain("'Home'");
        run.Result.Manifest.Artifacts.Should().NotContainKey(ModelManifest.OnnxFileName);
        File.Exists(run.ModelOnnx).Should().BeFalse();
        File.Exists(run.ModelZip).Should().BeTrue();
    }

    [Fact]
    public void Text_column_with_explicit_export_fails_the_run()
    {
        var spec = OnnxTestSpecs.Write("credit-text", "credit.csv", "Status", "binary", JsonValue.Create("LbfgsLogisticRegression"), HomeAsText, positiveClass: "bad", onnx: true);

        var train = () => OnnxTestSpecs.Train(spec);

        train.Should().Throw<OnnxExportException>().WithMessage("*FeaturizeText*'Home'*");
    }

    [Theory]
    [InlineData("LightGbm", "UseCategoricalSplit")]
    [InlineData("FastTree", "CategoricalSplit")]
    public void Categorical_tree_splits_are_refused_naming_the_trainer(string trainer, string option)
    {
        var withCategoricalSplits = new JsonObject { ["name"] = trainer, ["options"] = new JsonObject { [option] = true } };
        var spec = OnnxTestSpecs.Write("credit-categorical-splits", "credit.csv", "Status", "binary", withCategoricalSplits, positiveClass: "bad");

        using var run = OnnxTestSpecs.Train(spec);

        run.Result.Manifest.Onnx!.Exported.Should().BeFalse();
        run.Result.Manifest.Onnx.Reason.Should().Be($"Trainer {trainer} uses categorical tree splits, which the ONNX exporter refuses (train without categorical splits to export).");
    }

    [Fact]
    public void Export_switched_off_writes_no_onnx_and_says_so()
    {
        var spec = OnnxTestSpecs.Write("iris-no-onnx", "iris.csv", "species", "multiclass", JsonValue.Create("LbfgsMaximumEntropy"), onnx: false);

        using var run = OnnxTestSpecs.Train(spec);

        run.Result.Manifest.Onnx!.Exported.Should().BeFalse();
        run.Result.Manifest.Onnx.Reason.Should().Contain("export.onnx");
        File.Exists(run.ModelOnnx).Should().BeFalse();
    }
}
