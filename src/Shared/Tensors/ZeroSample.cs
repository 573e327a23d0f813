using System.Text.Json;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Shared.Tensors;

/// <summary>A sample input built from the graph's shapes: zeros (false, empty strings), each dynamic dimension 1.</summary>
public static class ZeroSample
{
    public static JsonElement Of(IReadOnlyList<OnnxTensor> inputs)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var input in inputs)
            {
                writer.WritePropertyName(input.Name);
                Write(writer, input, 0);
            }

            writer.WriteEndObject();
        }

        return JsonDocument.Parse(stream.ToArray()).RootElement.Clone();
    }

    private static void Write(Utf8JsonWriter writer, OnnxTensor input, int depth)
    {
        if (depth == input.Shape.Count)
        {
            switch (input.ElementType)
            {
                case "string":
                    writer.WriteStringValue("");
                    break;
                case "bool":
                    writer.WriteBooleanValue(false);
                    break;
                default:
                    writer.WriteNumberValue(0);
                    break;
            }

            return;
        }

        writer.WriteStartArray();
        for (var i = 0L; i < Math.Max(1, input.Shape[depth]); i++)
        {
            Write(writer, input, depth + 1);
        }

        writer.WriteEndArray();
    }
}
