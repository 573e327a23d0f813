using System.Text.Json.Nodes;
using Microsoft.ML;
using MLPipeline.Training.Onnx;

namespace MLPipeline.Training.Tests.Onnx;

/// <summary>
/// One fine-foods model (a free-text review column, FeaturizeText defaults, SDCA logistic regression) trained
/// once: our exporter refuses text, so its model.onnx comes from the official converter through the fallback.
/// </summary>
public sealed class FineFoodsOnnxFixture : IDisposable
{
    public FineFoodsOnnxFixture()
    {
        var columns = new Dictionary<string, string> { ["review"] = "text", ["product"] = "ignore" };
        Run = TrainedInProcess.Train(OnnxTestSpecs.Quick("fine-foods", "fine-foods.csv", "score", "binary", "SdcaLogisticRegression").With("columns", columns).With("positiveClass", "great"));
        Ml = new MLContext(1);
        Model = Ml.Model.Load(Run.ModelZip, out _);
        Onnx = File.Exists(Run.ModelOnnx) ? File.ReadAllBytes(Run.ModelOnnx) : [];
        Inputs = Run.Result.Manifest.Inputs.Select(i => new FeatureInput(i.Name, i.Role)).ToList();
    }

    public TrainedInProcess Run { get; }

    public MLContext Ml { get; }

    public ITransformer Model { get; }

    public byte[] Onnx { get; }

    public IReadOnlyList<FeatureInput> Inputs { get; }

    /// <summary>Rows holding these reviews.</summary>
    internal RawRows Reviews(params string[] reviews) =>
        RawRows.FromStrings(Inputs, reviews.Select(r => (IReadOnlyDictionary<string, string?>)new Dictionary<string, string?> { ["review"] = r }).ToList());

    public void Dispose() => Run.Dispose();
}
