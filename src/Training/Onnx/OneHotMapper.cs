using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Training.Featurization;
using MLPipeline.Training.Onnx.Proto;

namespace MLPipeline.Training.Onnx;

/// <summary>
/// One-hot (indicator) encoding -> ONNX OneHotEncoder with zeros=1: the categories are the slot names of the
/// encoded column in ML.NET's key order, so an unseen value is all zeros in both. A missing categorical is
/// the empty string; it is a category exactly when ML.NET learned it as one (its slot names say so).
/// </summary>
internal static class OneHotMapper
{
    public static IReadOnlyList<string> Categories(DataViewSchema outputSchema, string column)
    {
        var encoded = outputSchema.GetColumnOrNull(column + FeaturePipeline.CategoricalSuffix)
            ?? throw new OnnxExportException($"Transform OneHotEncoding on column '{column}': the model has no column '{column}{FeaturePipeline.CategoricalSuffix}'.");
        if (!encoded.HasSlotNames())
        {
            throw new OnnxExportException($"Transform OneHotEncoding on column '{column}': the encoded column has no category names.");
        }

        var names = default(VBuffer<ReadOnlyMemory<char>>);
        encoded.GetSlotNames(ref names);
        return names.DenseValues().Select(n => n.ToString()).ToList();
    }

    /// <summary>[N, 1] string -> [N, C] float.</summary>
    public static string Map(OnnxGraphBuilder graph, string input, string column, IReadOnlyList<string> categories)
    {
        var encoded = graph.MlNode("OneHotEncoder", [input],
        [
            OnnxAttributes.Strings("cats_strings", categories),
            OnnxAttributes.Int("zeros", 1),
        ], output: column + "_onehot3d");
        graph.Declare(encoded, TensorProto.Types.DataType.Float, null, 1, categories.Count);
        return graph.Node("Flatten", [encoded], [OnnxAttributes.Int("axis", 1)], output: column + "_onehot");
    }
}
