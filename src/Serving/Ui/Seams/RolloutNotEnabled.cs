namespace MLPipeline.Serving.Ui.Seams;

/// <summary>No rollout feature is registered: every model's rollout is "not enabled".</summary>
public sealed class RolloutNotEnabled : IRolloutView
{
    public Task<RolloutState?> FindAsync(string model, CancellationToken cancellationToken) => Task.FromResult<RolloutState?>(null);
}
