using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Rollout;

/// <summary>The <c>Serving:Rollout</c> section: how a replica takes part in rollouts (docs/rollout.md).</summary>
public sealed class RolloutOptions
{
    /// <summary>Follow <c>&lt;name&gt;/rollout.json</c> of every store model (read at every reload poll).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often this replica writes its figures and judges the rollout.</summary>
    public TimeSpan StatsInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>This replica's name in rollout-stats/; default the Container Apps replica name, else host and process id.</summary>
    public string? Replica { get; set; }

    /// <summary>Shadow copies waiting to be scored; more are dropped (and counted), never delaying a caller.</summary>
    public int ShadowQueueCapacity { get; set; } = 1000;

    public string ResolveReplica()
    {
        var name = !string.IsNullOrWhiteSpace(Replica) ? Replica
            : Environment.GetEnvironmentVariable("CONTAINER_APP_REPLICA_NAME") is { Length: > 0 } replica ? replica
            : $"{Environment.MachineName}-{Environment.ProcessId}";
        var safe = new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-')]).Trim('.', '-');
        return StoreNames.IsValid(safe) ? safe : $"replica-{Environment.ProcessId}";
    }
}
