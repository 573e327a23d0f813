using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Monitoring;

namespace MLPipeline.Serving.Monitoring;

/// <summary>
/// One monitored prediction, copied off the engine's buffers on the request thread: its inputs (a float, or null for a
/// missing number; a string, or null) in the manifest's input order, and what the model answered. <see cref="Bytes"/>
/// estimates what it holds in memory (<see cref="LogMemoryBudget"/>).
/// </summary>
public sealed record ObservedPrediction(
    DateTimeOffset Time,
    string Model,
    ModelGeneration Generation,
    string Id,
    object?[] Inputs,
    PredictedValue Output,
    double LatencyMilliseconds,
    long Bytes)
{
    public string Version => Generation.Version;
}
