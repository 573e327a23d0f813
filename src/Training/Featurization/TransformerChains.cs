using Microsoft.ML;

namespace MLPipeline.Training.Featurization;

/// <summary>
/// A fitted model is a chain of chains (featurizer, cache, predictor, class names); code that inspects the
/// steps wants them in one flat, ordered list.
/// </summary>
public static class TransformerChains
{
    public static IEnumerable<ITransformer> Flatten(ITransformer transformer) =>
        transformer is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [transformer];
}
