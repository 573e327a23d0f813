namespace MLPipeline.Shared.Tensors;

/// <summary>A JSON value that is not the tensor an ONNX graph input takes; <see cref="Field"/> names where it is.</summary>
public sealed class TensorInputException(string field, string problem) : Exception($"{field}: {problem}")
{
    public string Field { get; } = field;

    public string Problem { get; } = problem;
}
