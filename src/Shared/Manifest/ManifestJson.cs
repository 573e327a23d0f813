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

    /// <summary>
    /// Reads and validates a manifest that is not in a store (e.g. beside a model.zip), like
    /// <see cref="Store.ManifestReader.ReadLocal"/> but reporting problems as <see cref="InvalidDataException"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid manifest; the message names the source and the field.</exception>
    public static ModelManifest Deserialize(ReadOnlySpan<byte> utf8, string source)
    {
        try
        {
            return Store.ManifestReader.ReadLocal(utf8, source);
        }
        catch (Store.InvalidManifestException ex)
        {
            throw new InvalidDataException(ex.Message, ex);
        }
    }
}
