using System.Text.Json.Nodes;
using MLPipeline.TestSupport;

namespace MLPipeline.Training.Tests.Onnx;

/// <summary>The settings the ONNX tests share: a quarter of the rows for the parity check, no cross-validation (to stay fast), one seed.</summary>
public static class OnnxTestSpecs
{
    public static TestSpec Quick(string name, string dataFile, string label, string task, JsonNode trainer) =>
        TestSpec.OverBundledData(name, dataFile, label, task, trainer).With("testFraction", 0.25).WithoutCrossValidation().With("seed", 7);
}
