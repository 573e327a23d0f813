using MLPipeline.Training.Featurization;
using MLPipeline.Training.Onnx.Proto;

namespace MLPipeline.Training.Onnx;

/// <summary>
/// The raw inputs ([N, 1] each) -> the "Features" vector [N, F] in FeaturePipeline's order: the numeric
/// columns concatenated, imputed and (linear trainers) normalized, then each categorical's one-hot block.
/// </summary>
internal static class FeaturizationMapper
{
    public static (string Features, int Width) Map(OnnxGraphBuilder graph, ModelAnatomy model, IReadOnlyList<FeatureInput> inputs, IReadOnlyDictionary<string, string> inputValues)
    {
        var parts = new List<string>();
        var width = 0;
        var numeric = inputs.Where(i => i.IsNumeric).ToList();
        if (numeric.Count > 0)
        {
            var concatenated = numeric.Count == 1
                ? inputValues[numeric[0].Name]
                : graph.Node("Concat", numeric.Select(n => inputValues[n.Name]), [OnnxAttributes.Int("axis", 1)], output: "numeric");
            var imputed = model.Imputer is null
                ? concatenated
                : MeanImputationMapper.Map(graph, concatenated, MeanImputationMapper.ProbeReplacementValues(model.Imputer, inputs));
            var normalized = model.Normalizer is null
                ? imputed
                : MinMaxNormalizerMapper.Map(graph, imputed, model.Normalizer, numeric.Count);
            parts.Add(normalized);
            width += numeric.Count;
        }

        foreach (var categorical in inputs.Where(i => !i.IsNumeric))
        {
            var categories = OneHotMapper.Categories(model.OutputSchema, categorical.Name);
            parts.Add(OneHotMapper.Map(graph, inputValues[categorical.Name], categorical.Name, categories));
            width += categories.Count;
        }

        var expected = model.OutputSchema.GetColumnOrNull(FeaturePipeline.FeaturesColumn)?.Type is Microsoft.ML.Data.VectorDataViewType { Size: var size } ? size : (int?)null;
        if (expected != width)
        {
            throw new OnnxExportException($"Transform Concatenate on column '{FeaturePipeline.FeaturesColumn}': the model has {expected} features, the exporter rebuilt {width}; the featurization is not the console's.");
        }

        var features = parts.Count == 1
            ? graph.Node("Identity", parts, output: "features")
            : graph.Node("Concat", parts, [OnnxAttributes.Int("axis", 1)], output: "features");
        return (features, width);
    }

    public static IReadOnlyDictionary<string, string> AddInputs(OnnxGraphBuilder graph, IReadOnlyList<FeatureInput> inputs) =>
        inputs.ToDictionary(
            i => i.Name,
            i => graph.AddInput(i.Name, i.IsNumeric ? TensorProto.Types.DataType.Float : TensorProto.Types.DataType.String, null, 1));
}
