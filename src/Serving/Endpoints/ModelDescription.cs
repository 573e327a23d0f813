using MLPipeline.Serving.Onnx;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Rollout;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Endpoints;

/// <summary>What GET /models and GET /models/{name} say about a served model.</summary>
public sealed record ModelSummary(
    string Name,
    string Status,
    string? Version,
    string? Alias,
    string Source,
    string? ETag,
    DateTimeOffset? LoadedUtc,
    string? Task,
    string? LastError)
{
    public static ModelSummary Of(ModelSlot slot)
    {
        var current = slot.Current;
        return new ModelSummary(
            slot.Name,
            slot.Status.ToString().ToLowerInvariant(),
            current?.Version,
            current?.Origin.Alias,
            current?.Origin.Source ?? slot.Source.Location,
            current?.Origin.ETag,
            current?.LoadedUtc,
            current?.Manifest.Task.ToString().ToLowerInvariant(),
            slot.LastError);
    }
}

/// <summary>
/// One model in detail. <see cref="Source"/> (the full location) and <see cref="SampleInput"/> (a training row) are for
/// the admin role only; other callers get null. <see cref="Engines"/> says which engine answers one row and a batch
/// for the version served now (ML.NET, or ONNX Runtime for batches when its model.onnx passed parity), and why.
/// </summary>
public sealed record ModelDetails(
    ModelSummary Model,
    string? Source,
    int Loads,
    int LoadFailures,
    DateTimeOffset? LastAttemptUtc,
    IReadOnlyList<InputColumn>? Inputs,
    IReadOnlyList<OutputColumn>? Outputs,
    LabelInfo? Label,
    string? Trainer,
    ModelMetrics? Metrics,
    IReadOnlyDictionary<string, string?>? SampleInput,
    IReadOnlyList<ModelSummary> OnDemandVersions,
    EngineChoice? Engines,
    string? Format = null,
    string? Platform = null,
    OnnxGraphDescription? Graph = null,
    RolloutRouting? Rollout = null)
{
    /// <summary>The v2 platform name of a version: ONNX Runtime for an imported ONNX model, ML.NET otherwise.</summary>
    public static string PlatformOf(ModelManifest manifest) => manifest.IsOnnx ? "onnxruntime_onnx" : "mlnet";

    public static ModelDetails Of(ModelSlot slot, IEnumerable<ModelSlot> onDemand, bool admin)
    {
        var manifest = slot.Current?.Manifest;
        return new ModelDetails(
            ModelSummary.Of(slot),
            admin ? slot.Source.Description : null,
            slot.Loads,
            slot.LoadFailures,
            slot.LastAttemptUtc,
            manifest?.Inputs,
            manifest?.Outputs,
            manifest?.Label,
            manifest?.Trainer.Name,
            manifest?.Metrics,
            admin ? manifest?.SampleInput : null,
            [.. onDemand.Where(s => s.Name.StartsWith(slot.Name + ":", StringComparison.Ordinal)).Select(ModelSummary.Of)],
            slot.Current?.Engines,
            manifest is null ? null : manifest.IsOnnx ? "onnx" : "mlnet",
            manifest is null ? null : PlatformOf(manifest),
            manifest?.Graph is { } graph ? OnnxGraphDescription.Of(graph, admin) : null,
            slot.Rollout is { } route ? RolloutRouting.Of(route) : null);
    }
}

/// <summary>
/// The rollout this replica routes the model's requests through now (null: none): the candidate answers
/// <see cref="Weight"/> percent of them (canary) or scores a copy of them (shadow). <c>rollout status</c> has the figures.
/// </summary>
public sealed record RolloutRouting(string Id, string Mode, string Stable, string Candidate, int Weight, string? StickyHeader)
{
    public static RolloutRouting Of(RolloutRoute route) => new(
        route.Record.Id, route.Record.Mode.ToString().ToLowerInvariant(), route.Record.Stable, route.Record.Candidate, route.Weight, route.Record.StickyHeader);
}

/// <summary>An imported ONNX model's graph in GET /models/{name}: inputs and outputs with their shapes (-1 = any size); the sample input for the admin role only.</summary>
public sealed record OnnxGraphDescription(
    OnnxProducer Producer,
    long IrVersion,
    IReadOnlyDictionary<string, long> Opsets,
    IReadOnlyList<OnnxTensor> Inputs,
    IReadOnlyList<OnnxTensor> Outputs,
    System.Text.Json.JsonElement? SampleInput)
{
    public static OnnxGraphDescription Of(OnnxGraph graph, bool admin) =>
        new(graph.Producer, graph.IrVersion, graph.Opsets, graph.Inputs, graph.Outputs, admin ? graph.SampleInput : null);
}
