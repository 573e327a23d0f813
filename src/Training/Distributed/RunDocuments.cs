using System.Text.Json;
using System.Text.Json.Serialization;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Training.Distributed;

/// <summary>
/// <c>runs/&lt;run-id&gt;/plan.json</c>: what every worker needs to run the run's trials: the spec as read (its
/// data.path made absolute: a local path or a blob URI) and the SHA-256 the data must have.
/// </summary>
public sealed record RunPlan(string RunId, string SpecFile, JsonElement Spec, string DataLocation, string DataSha256, string Strategy, int Seed, DateTimeOffset CreatedUtc);

/// <summary>One queue message: one trial of one run (the configuration travels with it; the data and the spec are in the plan).</summary>
public sealed record TrialMessage(string RunId, int Trial, int Rung, double Fraction, string Trainer, IReadOnlyDictionary<string, JsonElement> Options, long? MaxRows);

/// <summary><c>runs/&lt;run-id&gt;/trials/&lt;n&gt;.json</c>: a trial's metrics (or why it has none), written once by the worker that finished it first.</summary>
/// <param name="Attempt">Which delivery of the message this was (above 1 when a worker died or failed on it before).</param>
public sealed record TrialRecord(
    int Trial,
    int Rung,
    double Fraction,
    string Trainer,
    IReadOnlyDictionary<string, MetricSummary>? CrossValidation,
    IReadOnlyDictionary<string, double>? Holdout,
    double Seconds,
    string? Error,
    string Worker,
    long Attempt);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(RunPlan))]
[JsonSerializable(typeof(TrialRecord))]
public sealed partial class RunJsonContext : JsonSerializerContext;

/// <summary>Queue messages on one line: a message is at most 64 KB.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TrialMessage))]
public sealed partial class TrialMessageJsonContext : JsonSerializerContext;

public static class RunPaths
{
    public static string Plan(string runId) => $"{RunFiles.RunsFolder}/{runId}/plan.json";

    public static string Trial(string runId, int trial) => $"{RunFiles.RunsFolder}/{runId}/trials/{trial}.json";
}
