using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Featurization;

namespace MLPipeline.Training.Onnx;

/// <summary>
/// The steps of a saved console model (see Featurization/FeaturePipeline), found by type: mean imputation,
/// numeric concatenation, optional min-max normalization, one-hot encoding, the final concatenation, the
/// predictor and (multiclass) the key-to-class-name mapping. Any other step is refused by name.
/// </summary>
internal sealed record ModelAnatomy(
    MissingValueReplacingTransformer? Imputer,
    NormalizingTransformer? Normalizer,
    ITransformer Predictor,
    object ModelParameters,
    DataViewSchema OutputSchema)
{
    public static ModelAnatomy Of(ITransformer model, IReadOnlyList<FeatureInput> inputs, DataViewSchema inputSchema)
    {
        // Text featurization (n-grams, normalization, tokenization) has no exporter here: name it first.
        if (inputs.FirstOrDefault(i => i.Role == ColumnRole.Text) is { } text)
        {
            throw new OnnxExportException($"Transform FeaturizeText on column '{text.Name}' cannot be exported to ONNX (text featurization is not supported by the exporter).");
        }

        MissingValueReplacingTransformer? imputer = null;
        NormalizingTransformer? normalizer = null;
        ITransformer? predictor = null;
        object? parameters = null;
        foreach (var step in TransformerChains.Flatten(model))
        {
            switch (step)
            {
                case MissingValueReplacingTransformer m when imputer is null:
                    imputer = m;
                    break;
                case NormalizingTransformer n when normalizer is null:
                    normalizer = n;
                    break;
                // One-hot encoding (a loaded model holds its two halves): the categories come from the slot names.
                // The concatenation order is FeaturePipeline's; the feature width is checked against the model.
                case OneHotEncodingTransformer:
                case ValueToKeyMappingTransformer:
                case KeyToVectorMappingTransformer:
                case ColumnConcatenatingTransformer:
                case KeyToValueMappingTransformer:
                    break;
                case IPredictionTransformer<object> p when predictor is null:
                    predictor = step;
                    parameters = p.Model;
                    break;
                default:
                    throw new OnnxExportException($"Transform {step.GetType().Name} cannot be exported to ONNX (the exporter knows the console's featurization only).");
            }
        }

        if (predictor is null || parameters is null)
        {
            throw new OnnxExportException("The model has no prediction step to export.");
        }

        return new ModelAnatomy(imputer, normalizer, predictor, parameters, model.GetOutputSchema(inputSchema));
    }
}
