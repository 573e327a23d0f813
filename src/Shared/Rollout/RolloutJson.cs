using System.Text.Json;
using System.Text.Json.Serialization;

namespace MLPipeline.Shared.Rollout;

/// <summary>The JSON shape of rollout.json and rollout-stats/*.json (camelCase like the manifest and aliases).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(RolloutRecord))]
[JsonSerializable(typeof(ReplicaFigures))]
public sealed partial class RolloutJsonContext : JsonSerializerContext;
