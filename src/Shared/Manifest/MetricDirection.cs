namespace MLPipeline.Shared.Manifest;

/// <summary>Which way a manifest metric (ML.NET's names) improves: training's gates and the web pages read it alike.</summary>
public static class MetricDirection
{
    /// <summary>Errors and losses: smaller is better.</summary>
    public static bool LowerIsBetter(string metric) =>
        metric is "RootMeanSquaredError" or "MeanAbsoluteError" or "MeanSquaredError" or "LogLoss";
}
