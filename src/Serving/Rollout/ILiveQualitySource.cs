using MLPipeline.Shared.Rollout;

namespace MLPipeline.Serving.Rollout;

/// <summary>
/// Live quality per version for a rollout's current step (from monitoring's feedback, when it is wired in); the
/// rollout judge checks its <see cref="RolloutCriteria.MaxQualityDrop"/> criterion with it. Null: no figures.
/// </summary>
public interface ILiveQualitySource
{
    IReadOnlyDictionary<string, LiveQuality>? For(RolloutRecord record);
}

/// <summary>The default until monitoring provides live quality: none, so the criterion is skipped.</summary>
public sealed class NoLiveQuality : ILiveQualitySource
{
    public IReadOnlyDictionary<string, LiveQuality>? For(RolloutRecord record) => null;
}
