using MLPipeline.Shared.Manifest;

namespace MLPipeline.Training.Onnx;

/// <summary>One raw feature column of the model, in the model's input order, with its role.</summary>
public sealed record FeatureInput(string Name, ColumnRole Role)
{
    public bool IsNumeric => Role == ColumnRole.Numeric;
}
