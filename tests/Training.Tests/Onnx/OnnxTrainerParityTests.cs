using System.Text.Json.Nodes;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Onnx;
using Xunit.Abstractions;

namespace MLPipeline.Training.Tests.Onnx;

/// <summary>
/// Every trainer the console offers, trained on a bundled data set, exports to ONNX and passes the parity
/// check inside the training run (test split in batches of 64, plus an all-missing and an unseen-category row).
/// </summary>
public sealed class OnnxTrainerParityTests(ITestOutputHelper output)
{
    private static readonly object HouseColumns = new Dictionary<string, string> { ["CHAS"] = "categorical" };

    public static TheoryData<string, string> Trainers => new()
    {
        { "regression", "OnlineGradientDescent" },
        { "regression", "Sdca" },
        { "regression", "LbfgsPoissonRegression" },
        { "regression", "FastTree" },
        { "regression", "FastForest" },
        { "regression", "LightGbm" },
        { "binary", "SdcaLogisticRegression" },
        { "binary", "LbfgsLogisticRegression" },
        { "binary", "FastTree" },
        { "binary", "LightGbm" },
        { "multiclass", "SdcaMaximumEntropy" },
        { "multiclass", "LbfgsMaximumEntropy" },
        { "multiclass", "LightGbm" },
        { "multiclass", "OneVersusAllFastTree" },
    };

    [Theory]
    [MemberData(nameof(Trainers))]
    public void Every_trainer_exports_with_parity(string task, string trainer) => ExportsWithParity(task, trainer, JsonValue.Create(trainer));

    [Fact]
    public void LightGbm_multiclass_with_softmax_exports_with_parity() =>
        ExportsWithParity("multiclass", "LightGbm (softmax)", new JsonObject { ["name"] = "LightGbm", ["options"] = new JsonObject { ["UseSoftmax"] = true } });

    [Theory]
    [InlineData("breast-cancer.csv", "malignant", "binary", "FastTree")]
    [InlineData("breast-cancer.csv", "malignant", "binary", "SdcaLogisticRegression")]
    [InlineData("iris.csv", "species", "multiclass", "OneVersusAllFastTree")]
    public void Other_bundled_data_sets_export_with_parity(string data, string label, string task, string trainer)
    {
        using var run = TrainedInProcess.Train(OnnxTestSpecs.Quick(Path.GetFileNameWithoutExtension(data), data, label, task, trainer));

        run.Result.Manifest.Onnx!.Exported.Should().BeTrue(run.Result.Manifest.Onnx.Reason);
        run.Result.Manifest.Onnx.MaxAbsoluteDifference.Should().BeLessThanOrEqualTo(1e-5);
        output.WriteLine($"{data} {trainer}: max abs {run.Result.Manifest.Onnx.MaxAbsoluteDifference:G3}");
    }

    private void ExportsWithParity(string task, string trainer, JsonNode trainerSpec)
    {
        // Regression: house prices (one categorical). Binary: credit (categoricals with missing values).
        // Multiclass: penguins (categoricals and missing values).
        var spec = task switch
        {
            "regression" => OnnxTestSpecs.Quick("house", "house-prices.csv", "MEDV", task, trainerSpec).With("columns", HouseColumns),
            "binary" => OnnxTestSpecs.Quick("credit", "credit.csv", "Status", task, trainerSpec).With("positiveClass", "bad"),
            _ => OnnxTestSpecs.Quick("penguins", "penguins.csv", "species", task, trainerSpec),
        };

        using var run = TrainedInProcess.Train(spec);
        var onnx = run.Result.Manifest.Onnx;
        onnx.Should().NotBeNull();
        onnx!.Reason.Should().BeNull();
        onnx.Exported.Should().BeTrue();
        onnx.IrVersion.Should().Be(8);
        onnx.Opsets.Should().Contain("ai.onnx", 17).And.Contain("ai.onnx.ml", 3);
        output.WriteLine($"{task} {trainer}: max abs {onnx.MaxAbsoluteDifference:G3}, max rel {onnx.MaxRelativeDifference:G3}, {onnx.ParityRows} rows");
        onnx.MaxAbsoluteDifference.Should().NotBeNull();
        onnx.ParityRows.Should().Be(run.Result.Manifest.TrainingData.TestRows + 2);
        onnx.ParityBatchSize.Should().BeGreaterThan(1);
        onnx.TimedBatchSize.Should().Be(OnnxParityChecker.MaxTimedBatchSize, "the bundled data sets' models are narrow");
        run.Result.Manifest.Artifacts.Should().ContainKey(ModelManifest.OnnxFileName);
        File.Exists(run.ModelOnnx).Should().BeTrue();
        run.Result.Manifest.Artifacts[ModelManifest.OnnxFileName].Sha256.Should()
            .Be(Shared.Store.ArtifactHash.Describe(run.ModelOnnx).Sha256);
        OnnxParityChecker.Tolerance.Should().Be(1e-5);
    }
}
