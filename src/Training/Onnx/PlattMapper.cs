using MLPipeline.Training.Onnx.Proto;

namespace MLPipeline.Training.Onnx;

/// <summary>
/// Platt calibration -> p = 1 / (1 + exp(slope * score + offset)), computed in double as ML.NET's
/// PlattCalibrator does, then cast to float: Cast, Mul, Add, Neg, Sigmoid, Cast.
/// </summary>
internal static class PlattMapper
{
    /// <summary>score [N] or [N, K] float; one slope/offset per column (K = 1 for binary).</summary>
    public static string Map(OnnxGraphBuilder graph, string score, double[] slopes, double[] offsets, string output)
    {
        var asDouble = graph.Node("Cast", [score], [OnnxAttributes.Int("to", (long)TensorProto.Types.DataType.Double)], output: "platt_input");
        var scaled = graph.Node("Mul", [asDouble, graph.Initializer("platt_slope", slopes, slopes.Length)]);
        var shifted = graph.Node("Add", [scaled, graph.Initializer("platt_offset", offsets, offsets.Length)]);
        var negated = graph.Node("Neg", [shifted]);
        var probability = graph.Node("Sigmoid", [negated]);
        return graph.Node("Cast", [probability], [OnnxAttributes.Int("to", (long)TensorProto.Types.DataType.Float)], output: output);
    }
}
