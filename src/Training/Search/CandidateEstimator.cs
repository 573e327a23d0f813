using Microsoft.ML;
using MLPipeline.Training.Data;
using MLPipeline.Training.Featurization;
using MLPipeline.Training.Specs;
using MLPipeline.Training.Trainers;

namespace MLPipeline.Training.Search;

/// <summary>The featurization and trainer of one candidate, with the spec's cache for multi-pass trainers.</summary>
public static class CandidateEstimator
{
    /// <param name="scratchFolder">Where a disk cache goes.</param>
    public static IEstimator<ITransformer> Build(MLContext ml, TrainingSpec spec, TrainerCandidate candidate, DataProfile profile, string scratchFolder, Action<TimeSpan>? statisticsTimed = null)
    {
        var features = FeaturePipeline.Build(ml, profile.Features, normalize: candidate.Definition.IsLinear, statisticsTimed);
        var trainer = candidate.CreateEstimator(ml, spec.Seed);
        return (candidate.MultiPass ? spec.Cache : CacheMode.None) switch
        {
            CacheMode.Memory => features.AppendCacheCheckpoint(ml).Append(trainer),
            CacheMode.Disk => new DiskCachedEstimator(ml, features, trainer, scratchFolder),
            _ => features.Append(trainer),
        };
    }
}
