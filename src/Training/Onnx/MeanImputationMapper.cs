using Microsoft.ML.Transforms;
using MLPipeline.Training.Onnx.Proto;

namespace MLPipeline.Training.Onnx;

/// <summary>
/// Mean imputation -> ONNX Imputer. ML.NET keeps the replacement values internal, so they are probed:
/// the fitted transformer is applied to one row whose numerics are all NaN and the values it writes are read
/// back. A column the transformer does not touch stays NaN, which makes the Imputer a no-op for it.
/// </summary>
internal static class MeanImputationMapper
{
    public static float[] ProbeReplacementValues(MissingValueReplacingTransformer imputer, IReadOnlyList<FeatureInput> inputs)
    {
        var numeric = inputs.Where(i => i.IsNumeric).ToList();
        var missingRow = RawRows.FromStrings(inputs, [new Dictionary<string, string?>()]);
        var replaced = RawRows.Read(imputer.Transform(missingRow.ToDataView()), inputs);
        return numeric.Select(c => replaced.Numeric(c.Name)[0]).ToArray();
    }

    /// <summary>Imputes NaN in a [N, n] float tensor with one value per column.</summary>
    public static string Map(OnnxGraphBuilder graph, string numeric, float[] replacements) =>
        graph.Declare(
            graph.MlNode("Imputer", [numeric],
            [
                OnnxAttributes.Floats("imputed_value_floats", replacements),
                OnnxAttributes.Float("replaced_value_float", float.NaN),
            ], output: "numeric_imputed"),
            TensorProto.Types.DataType.Float, null, replacements.Length);
}
