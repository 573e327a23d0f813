using System.Text.Json;
using System.Text.Json.Serialization;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;

namespace MLPipeline.Training.Distributed;

/// <summary>
/// <c>runs/&lt;run-id&gt;/plan.json</c>: what every worker needs to run the run's trials: the spec as read (its
/// data.path made absolute: a local path or a blob URI) and the SHA-256 the data must have.
/// </summary>
public sealed record RunPlan(string RunId, string SpecFile, JsonElement Spec, string DataLocation, string DataSha256, string Strategy, int Seed, DateTimeOffset CreatedUtc);

/// <summary>One queue message: one trial of one run (the configuration travels with it; the data and the spec are in the plan).</summary>
public sealed record TrialMessage(string RunId, int Trial, int Rung, double Fraction, string Trainer, IReadOnlyDictionary<string, JsonElement> Options, long? MaxRows)
{
    /// <summary>
    /// Why the message names no trial a worker may run (read from a queue anyone with access can write to), or null:
    /// the run id becomes a store path, so it must be a safe name.
    /// </summary>
    public string? Problem()
    {
        var problems = new List<string>();
        if (!StoreNames.IsValid(RunId))
        {
            problems.Add("runId: missing or not a safe name (letters, digits, '.', '_', '-')");
        }

        if (Trial < 1)
        {
            problems.Add($"trial: {Trial} is not a trial number (1 or more)");
        }

        if (Rung is < 0 or > 100)
        {
            problems.Add($"rung: {Rung} is not a rung (0 to 100)");
        }

        if (Fraction is not (> 0 and <= 1))
        {
            problems.Add($"fraction: {Fraction} is not a share of the rows (above 0, at most 1)");
        }

        if (string.IsNullOrWhiteSpace(Trainer))
        {
            problems.Add("trainer: missing");
        }

        if (Options is null)
        {
            problems.Add("options: missing");
        }

        if (MaxRows is < 1)
        {
            problems.Add($"maxRows: {MaxRows} is not a row count");
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }
}

/// <summary><c>runs/&lt;run-id&gt;/trials/&lt;n&gt;.json</c>: a trial's metrics (or why it has none), written once by the worker that finished it first.</summary>
/// <param name="Attempt">Which delivery of the message this was (above 1 when a worker died or failed on it before).</param>
/// <param name="Options">The trainer options the trial ran with (absent in records of older workers), checked by the coordinator against its plan.</param>
/// <param name="MaxRows">The row sample the trial trained on, when its candidate had one.</param>
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
    long Attempt,
    IReadOnlyDictionary<string, JsonElement>? Options = null,
    long? MaxRows = null);

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
