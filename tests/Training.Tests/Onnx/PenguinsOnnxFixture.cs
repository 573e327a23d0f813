using System.Text.Json.Nodes;
using Microsoft.ML;
using MLPipeline.Training.Onnx;

namespace MLPipeline.Training.Tests.Onnx;

/// <summary>One penguins model (categoricals, missing values, min-max normalization, softmax) shared by the contract tests.</summary>
public sealed class PenguinsOnnxFixture : IDisposable
{
    public PenguinsOnnxFixture()
    {
        Run = TrainedInProcess.Train(OnnxTestSpecs.Quick("penguins", "penguins.csv", "species", "multiclass", "LbfgsMaximumEntropy"));
        Ml = new MLContext(1);
        Model = Ml.Model.Load(Run.ModelZip, out _);
        Onnx = File.ReadAllBytes(Run.ModelOnnx);
        Inputs = Run.Result.Manifest.Inputs.Select(i => new FeatureInput(i.Name, i.Role)).ToList();
    }

    public TrainedInProcess Run { get; }

    public MLContext Ml { get; }

    public ITransformer Model { get; }

    public byte[] Onnx { get; }

    public IReadOnlyList<FeatureInput> Inputs { get; }

    /// <summary>Raw rows by column name; absent columns are missing.</summary>
    internal RawRows Rows(params Dictionary<string, string?>[] rows) => RawRows.FromStrings(Inputs, rows);

    public void Dispose() => Run.Dispose();
}
