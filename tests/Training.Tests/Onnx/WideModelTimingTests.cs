using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.TestSupport;
using MLPipeline.Training.Featurization;

namespace MLPipeline.Training.Tests.Onnx;

/// <summary>
/// The ONNX step times ONNX Runtime in batches whose dense tensors stay small, whatever the model's width: ONNX's
/// one-hot output is dense, and the whole test split as one batch of a 5,000-category column held 1.7 GB.
/// </summary>
public sealed class WideModelTimingTests
{
    [Fact]
    public void A_model_with_thousands_of_categories_is_timed_in_batches_of_at_most_4M_floats()
    {
        using var folder = new TempFolder();
        var data = Path.Combine(folder.Path, "wide.csv");
        var random = new Random(3);
        using (var writer = new StreamWriter(data))
        {
            writer.Write("a,city,y\n");
            for (var row = 0; row < 20_000; row++)
            {
                var a = random.NextDouble();
                var city = random.Next(5_000);
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"{a:F4},city{city},{a + (city % 7 * 0.1):F4}\n"));
            }
        }

        var spec = new TestSpec("wide", data, "y", "regression", "Sdca").WithJson("columns", """{ "city": "categorical" }""").WithoutCrossValidation();

        using var run = TrainedInProcess.Train(spec);

        var onnx = run.Manifest.Onnx!;
        onnx.Exported.Should().BeTrue(onnx.Reason);
        var model = new MLContext(1).Model.Load(run.ModelZip, out _);
        var features = TransformerChains.Predictor(model)!.FeatureColumnType;
        var width = ((VectorDataViewType)features).Size;
        width.Should().BeGreaterThan(4_000, "every city seen in training is a one-hot slot");
        onnx.TimedRows.Should().BeGreaterThan(onnx.TimedBatchSize!.Value, "the test split is scored in several batches");
        ((long)onnx.TimedBatchSize.Value * width).Should().BeLessThanOrEqualTo(1 << 22);
    }
}
