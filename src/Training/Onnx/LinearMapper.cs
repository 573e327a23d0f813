using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace MLPipeline.Training.Onnx;

/// <summary>Linear models -> Gemm: [N, F] x [F, K] + bias [K] in float, as ML.NET's bias + dot product.</summary>
internal static class LinearMapper
{
    /// <summary>One output (regression, binary): [N, 1].</summary>
    public static string Map(OnnxGraphBuilder graph, string features, LinearModelParameters linear, int width)
    {
        var weights = linear.Weights.ToArray();
        if (weights.Length != width)
        {
            throw new OnnxExportException($"Linear model {linear.GetType().Name} has {weights.Length} weights for {width} features.");
        }

        var w = graph.Initializer("linear_weights", weights, width, 1);
        var b = graph.Initializer("linear_bias", [linear.Bias], 1);
        return graph.Node("Gemm", [features, w, b], output: "linear_score");
    }

    /// <summary>K outputs (multiclass linear): [N, K].</summary>
    public static string Map(OnnxGraphBuilder graph, string features, LinearMulticlassModelParametersBase linear, int width)
    {
        VBuffer<float>[] perClass = [];
        linear.GetWeights(ref perClass, out var classes);
        var biases = linear.GetBiases().ToArray();
        var weights = new float[width * classes];
        for (var k = 0; k < classes; k++)
        {
            if (perClass[k].Length != width)
            {
                throw new OnnxExportException($"Linear model {linear.GetType().Name} has {perClass[k].Length} weights for {width} features.");
            }

            var dense = perClass[k].DenseValues().ToArray();
            for (var f = 0; f < width; f++)
            {
                weights[(f * classes) + k] = dense[f];
            }
        }

        var w = graph.Initializer("linear_weights", weights, width, classes);
        var b = graph.Initializer("linear_bias", biases, classes);
        return graph.Node("Gemm", [features, w, b], output: "linear_scores");
    }
}
