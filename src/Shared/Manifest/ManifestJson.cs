using System.Text.Json;
using System.Text.Json.Serialization;

namespace MLPipeline.Shared.Manifest;

/// <summary>The one JSON shape of manifests and aliases on every store backend.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelManifest))]
[JsonSerializable(typeof(Store.AliasRecord))]
public sealed partial class ManifestJsonContext : JsonSerializerContext;

public static class ManifestJson
{
    public static byte[] Serialize(ModelManifest manifest) =>
        JsonSerializer.SerializeToUtf8Bytes(manifest, ManifestJsonContext.Default.ModelManifest);

    /// <exception cref="InvalidDataException">The bytes are not a manifest.</exception>
    public static ModelManifest Deserialize(ReadOnlySpan<byte> utf8, string source)
    {
        try
        {
            return JsonSerializer.Deserialize(utf8, ManifestJsonContext.Default.ModelManifest)
                ?? throw new InvalidDataException($"{source}: manifest is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: not a valid manifest ({ex.Message}).", ex);
        }
    }
}
