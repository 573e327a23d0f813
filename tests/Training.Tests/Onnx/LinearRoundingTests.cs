using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Shared.Manifest;
using MLPipeline.TestSupport;
using MLPipeline.Training.Data;
using MLPipeline.Training.Onnx;
using MLPipeline.Training.Onnx.Proto;
using Xunit.Abstractions;

namespace MLPipeline.Training.Tests.Onnx;

/// <summary>
/// A linear model whose large terms cancel to small scores (many features with offsets, as <c>generate</c> writes
/// them) differs between ML.NET and ONNX Runtime by more than 1e-5 of its scores through the order of its float sums
/// alone. The parity check allows that rounding, row by row, and still refuses a file whose weights are wrong.
/// </summary>
public sealed class LinearRoundingTests(ITestOutputHelper output)
{
    private const int Features = 150;

    [Fact]
    public void A_linear_model_whose_terms_cancel_exports_within_the_float_rounding_of_its_sums()
    {
        using var folder = new TempFolder();

        using var run = TrainedInProcess.Train(Spec(folder));

        var onnx = run.Manifest.Onnx!;
        onnx.Exported.Should().BeTrue(onnx.Reason);
        output.WriteLine($"max |diff| {onnx.MaxAbsoluteDifference:G3}, max rel {onnx.MaxRelativeDifference:G3} on {onnx.ParityRows} rows");

        // Beyond max(1e-5, 1e-5 x |score|) somewhere: the files this check refused before, though correct.
        onnx.MaxAbsoluteDifference.Should().BeGreaterThan(1e-5);
    }

    [Fact]
    public void A_weight_one_percent_off_still_fails_the_parity_check()
    {
        using var folder = new TempFolder();
        using var run = TrainedInProcess.Train(Spec(folder));
        var ml = new MLContext(1);
        var model = ml.Model.Load(run.ModelZip, out _);
        var inputs = run.Manifest.Inputs.Select(i => new FeatureInput(i.Name, ColumnRole.Numeric)).ToList();
        var loader = ml.Data.CreateTextLoader([.. inputs.Select((c, i) => new TextLoader.Column(c.Name, DataKind.Single, i))], separatorChar: ',', hasHeader: true);
        var rows = RawRows.Read(ml.Data.TakeRows(loader.Load(Path.Combine(folder.Path, "cancelling.csv")), 500), inputs);
        var file = ModelProto.Parser.ParseFrom(File.ReadAllBytes(run.ModelOnnx));

        // The file as published passes on these rows; the same file with its first weight 1% larger does not.
        OnnxParityChecker.Check(model, file.ToByteArray(), rows, 0, ModelTask.Regression);
        var weights = file.Graph.Initializer.Single(t => t.Name.StartsWith("linear_weights", StringComparison.Ordinal));
        weights.FloatData[0] *= 1.01f;
        var check = () => OnnxParityChecker.Check(model, file.ToByteArray(), rows, 0, ModelTask.Regression);

        check.Should().Throw<OnnxParityException>().WithMessage("*the linear sum's float rounding*row *score: ML.NET *");
    }

    private static TestSpec Spec(TempFolder folder)
    {
        var data = Path.Combine(folder.Path, "cancelling.csv");
        using (var writer = new StreamWriter(data))
        {
            SyntheticDataGenerator.Write(new SyntheticDataOptions(ModelTask.Regression, 6000, Features, 0, 0, 42), writer);
        }

        return new TestSpec("cancelling", data, "label", "regression", "Sdca").With("testFraction", 0.5).WithoutCrossValidation();
    }
}
