using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Shared.Manifest;
using MLPipeline.TestSupport;
using MLPipeline.Training.Data;
using MLPipeline.Training.Featurization;
using MLPipeline.Training.Onnx;
using MLPipeline.Training.Onnx.Proto;
using Xunit.Abstractions;

namespace MLPipeline.Training.Tests.Onnx;

/// <summary>
/// A linear model whose large terms cancel to small scores (many features with offsets, as <c>generate</c> writes
/// them) differs between ML.NET and ONNX Runtime by more than 1e-5 of its scores through the order of its float sums
/// alone. The parity check allows that rounding, row by row, and still refuses a file whose weights are wrong.
/// </summary>
public sealed class LinearRoundingTests(LinearRoundingTests.Models models, ITestOutputHelper output) : IClassFixture<LinearRoundingTests.Models>
{
    private const int Features = 150;

    /// <summary>The regression and the binary model of these tests, each trained once (on its own data folder) for the tests that read it.</summary>
    public sealed class Models : IDisposable
    {
        private readonly TempFolder _regressionFolder = new();
        private readonly TempFolder _binaryFolder = new();
        private readonly Lazy<TrainedInProcess> _regression;
        private readonly Lazy<TrainedInProcess> _binary;

        public Models()
        {
            _regression = new(() => TrainedInProcess.Train(Spec(_regressionFolder)));
            _binary = new(() => TrainedInProcess.Train(Spec(_binaryFolder, ModelTask.Binary, "SdcaLogisticRegression")));
        }

        public (TempFolder Folder, TrainedInProcess Run) Regression => (_regressionFolder, _regression.Value);

        public (TempFolder Folder, TrainedInProcess Run) Binary => (_binaryFolder, _binary.Value);

        public void Dispose()
        {
            foreach (var run in new[] { _regression, _binary }.Where(r => r.IsValueCreated))
            {
                run.Value.Dispose();
            }

            _regressionFolder.Dispose();
            _binaryFolder.Dispose();
        }
    }

    [Fact]
    public void A_linear_model_whose_terms_cancel_exports_within_the_float_rounding_of_its_sums()
    {
        var (_, run) = models.Regression;

        var onnx = run.Manifest.Onnx!;
        onnx.Exported.Should().BeTrue(onnx.Reason);
        output.WriteLine($"max |diff| {onnx.MaxAbsoluteDifference:G3}, max rel {onnx.MaxRelativeDifference:G3} on {onnx.ParityRows} rows");

        // Beyond max(1e-5, 1e-5 x |score|) somewhere: the files this check refused before, though correct.
        onnx.MaxAbsoluteDifference.Should().BeGreaterThan(1e-5);
    }

    [Fact]
    public void A_weight_one_percent_off_still_fails_the_parity_check()
    {
        var (folder, run) = models.Regression;
        var (model, rows) = ModelAndRows(folder, run);
        var file = ModelProto.Parser.ParseFrom(File.ReadAllBytes(run.ModelOnnx));

        // The file as published passes on these rows; the same file with its first weight 1% larger does not.
        OnnxParityChecker.Check(model, file.ToByteArray(), rows, 0, ModelTask.Regression);
        var weights = file.Graph.Initializer.Single(t => t.Name.StartsWith("linear_weights", StringComparison.Ordinal));
        weights.FloatData[0] *= 1.01f;
        var check = () => OnnxParityChecker.Check(model, file.ToByteArray(), rows, 0, ModelTask.Regression);

        check.Should().Throw<OnnxParityException>().WithMessage("*the linear sum's float rounding*row *score: ML.NET *");
    }

    [Fact]
    public void A_binary_label_may_differ_only_where_the_score_is_within_its_rounding_of_the_threshold()
    {
        var (folder, run) = models.Binary;
        var (model, rows) = ModelAndRows(folder, run);
        var predictor = TransformerChains.Predictor(model)!;
        var threshold = InternalMembers.BinaryThreshold(predictor).Threshold;

        var rounding = LinearRoundingAllowance.Of(model, rows)!;

        var allowance = (float)rounding.Score(0);
        allowance.Should().BePositive();
        rounding.LabelsMayDiffer(0, [threshold + (allowance / 2)], [threshold - (allowance / 2)]).Should().BeTrue();
        rounding.LabelsMayDiffer(0, [threshold + (3 * allowance)], [threshold + (2 * allowance)]).Should().BeFalse();
    }

    [Fact]
    public void A_binary_file_with_another_threshold_still_fails_on_its_labels()
    {
        var (folder, run) = models.Binary;
        var (model, rows) = ModelAndRows(folder, run);
        var file = ModelProto.Parser.ParseFrom(File.ReadAllBytes(run.ModelOnnx));
        var threshold = file.Graph.Initializer.Single(t => t.Name.StartsWith("label_threshold", StringComparison.Ordinal));
        threshold.FloatData[0] += 1;

        var check = () => OnnxParityChecker.Check(model, file.ToByteArray(), rows, 0, ModelTask.Binary);

        check.Should().Throw<OnnxParityException>().WithMessage("*row * label: ML.NET *");
    }

    private static TestSpec Spec(TempFolder folder, ModelTask task = ModelTask.Regression, string trainer = "Sdca")
    {
        var data = Path.Combine(folder.Path, "cancelling.csv");
        using (var writer = new StreamWriter(data))
        {
            SyntheticDataGenerator.Write(new SyntheticDataOptions(task, 6000, Features, 0, 0, 42), writer);
        }

        var spec = new TestSpec("cancelling", data, "label", task.ToString().ToLowerInvariant(), trainer).With("testFraction", 0.5).WithoutCrossValidation();
        return task == ModelTask.Binary ? spec.With("positiveClass", "true") : spec;
    }

    /// <summary>The published model.zip loaded back, and the data set's first 500 rows as the parity check reads them.</summary>
    private static (ITransformer Model, RawRows Rows) ModelAndRows(TempFolder folder, TrainedInProcess run)
    {
        var ml = new MLContext(1);
        var model = ml.Model.Load(run.ModelZip, out _);
        var inputs = run.Manifest.Inputs.Select(i => new FeatureInput(i.Name, ColumnRole.Numeric)).ToList();
        var loader = ml.Data.CreateTextLoader([.. inputs.Select((c, i) => new TextLoader.Column(c.Name, DataKind.Single, i))], separatorChar: ',', hasHeader: true);
        return (model, RawRows.Read(ml.Data.TakeRows(loader.Load(Path.Combine(folder.Path, "cancelling.csv")), 500), inputs));
    }
}
