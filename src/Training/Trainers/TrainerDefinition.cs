using Microsoft.ML;
using Microsoft.ML.Trainers.FastTree;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Training.Trainers;

/// <summary>
/// One trainer the console offers for one task: its ML.NET Options type (the names a spec's options use)
/// and how to build the estimator from a filled-in Options object.
/// </summary>
public sealed record TrainerDefinition(
    string Name,
    ModelTask Task,
    bool IsLinear,
    Type OptionsType,
    Func<MLContext, object, IEstimator<ITransformer>> Create)
{
    /// <summary>
    /// FastTree and FastForest copy every training row into an in-memory table of doubles (about 9 bytes per
    /// row and feature slot) before binning it; LightGbm bins as it reads and linear trainers stream.
    /// </summary>
    public bool HoldsRowsInMemory => typeof(TreeOptions).IsAssignableFrom(OptionsType);
}
