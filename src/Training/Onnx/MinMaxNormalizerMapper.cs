using System.Collections.Immutable;
using Microsoft.ML.Transforms;
using MLPipeline.Training.Onnx.Proto;

namespace MLPipeline.Training.Onnx;

/// <summary>
/// Min-max normalization -> ONNX Scaler: both compute y = (x - offset) * scale in float with the affine
/// parameters ML.NET exposes (an empty offset means zeros, ML.NET's fixZero default).
/// </summary>
internal static class MinMaxNormalizerMapper
{
    public static string Map(OnnxGraphBuilder graph, string numeric, NormalizingTransformer normalizer, int width)
    {
        if (normalizer.GetNormalizerModelParameters(0) is not NormalizingTransformer.AffineNormalizerModelParameters<ImmutableArray<float>> affine)
        {
            throw new OnnxExportException($"Transform {normalizer.GetType().Name} on column 'NumericFeatures' uses a non-affine normalizer, which cannot be exported to ONNX.");
        }

        var scale = affine.Scale.ToArray();
        var offset = affine.Offset.IsDefaultOrEmpty ? new float[width] : affine.Offset.ToArray();
        if (scale.Length != width || offset.Length != width)
        {
            throw new OnnxExportException($"Transform NormalizeMinMax on column 'NumericFeatures' has {scale.Length} scales for {width} numeric columns.");
        }

        var normalized = graph.MlNode("Scaler", [numeric],
        [
            OnnxAttributes.Floats("offset", offset),
            OnnxAttributes.Floats("scale", scale),
        ], output: "numeric_normalized");
        return graph.Declare(normalized, TensorProto.Types.DataType.Float, null, width);
    }
}
