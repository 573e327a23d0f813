using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Onnx;

namespace MLPipeline.Training.Tests.Onnx;

/// <summary>The exported file scores in ML.NET's own ApplyOnnxModel (Microsoft.ML.OnnxTransformer), without our code.</summary>
public sealed class ApplyOnnxModelTests(PenguinsOnnxFixture penguins) : IClassFixture<PenguinsOnnxFixture>
{
    [Fact]
    public void ApplyOnnxModel_loads_the_export_and_predicts_what_the_MLNet_model_predicts()
    {
        var rows = penguins.Rows(
            new() { ["island"] = "Biscoe", ["bill_length_mm"] = "45.1", ["bill_depth_mm"] = "14.5", ["flipper_length_mm"] = "215", ["body_mass_g"] = "5000", ["sex"] = "female", ["year"] = "2008" },
            new() { ["island"] = "Dream", ["bill_length_mm"] = "49", ["bill_depth_mm"] = "18.4", ["flipper_length_mm"] = "195", ["body_mass_g"] = "3700", ["sex"] = "male", ["year"] = "2009" },
            new() { ["island"] = "Atlantis", ["bill_length_mm"] = "39", ["bill_depth_mm"] = "18", ["flipper_length_mm"] = "190", ["body_mass_g"] = "3600", ["sex"] = "", ["year"] = "2007" });
        var ml = penguins.Ml;
        var data = rows.ToDataView();

        // The ONNX inputs are [N, 1]: each raw column becomes a one-slot vector of the same name first.
        var inputs = penguins.Inputs.Select(i => i.Name).ToArray();
        IEstimator<ITransformer> pipeline = new EstimatorChain<ITransformer>();
        foreach (var name in inputs)
        {
            pipeline = pipeline.Append(ml.Transforms.Concatenate(name, name));
        }

        var onnxFile = Path.Combine(penguins.Run.Result.PackageDirectory, ModelManifest.OnnxFileName);
        var scored = pipeline
            .Append(ml.Transforms.ApplyOnnxModel(["scores", "label"], inputs, onnxFile))
            .Fit(data)
            .Transform(data);

        var labels = scored.GetColumn<VBuffer<ReadOnlyMemory<char>>>("label").Select(l => l.DenseValues().Single().ToString()).ToList();
        var scores = scored.GetColumn<VBuffer<float>>("scores").Select(s => s.DenseValues().ToArray()).ToList();
        var expected = MLNetScorer.Score(penguins.Model, rows, ModelTask.Multiclass);

        labels.Should().Equal(expected.Labels);
        scores.SelectMany(s => s).Should().Equal(expected.Scores, (a, b) => Math.Abs(a - b) <= 1e-5f);
    }
}
