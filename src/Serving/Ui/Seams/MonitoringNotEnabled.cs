namespace MLPipeline.Serving.Ui.Seams;

/// <summary>No monitoring feature is registered: every model's monitoring is "not enabled".</summary>
public sealed class MonitoringNotEnabled : IMonitoringView
{
    public MonitoringState? Find(string model) => null;
}
