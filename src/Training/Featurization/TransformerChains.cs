using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLPipeline.Training.Featurization;

/// <summary>
/// A fitted model is a chain of chains (featurizer, cache, predictor, class names); code that inspects the
/// steps wants them in one flat, ordered list.
/// </summary>
public static class TransformerChains
{
    public static IEnumerable<ITransformer> Flatten(ITransformer transformer) =>
        transformer is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [transformer];

    /// <summary>The model's prediction step (its trained parameters and the feature column it reads), or null.</summary>
    public static ISingleFeaturePredictionTransformer<object>? Predictor(ITransformer model) =>
        Flatten(model).OfType<ISingleFeaturePredictionTransformer<object>>().LastOrDefault();
}
