using System.Text.Json;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Shared.Tensors;

/// <summary>A sample input built from the graph's shapes: zeros (false, empty strings), each dynamic dimension 1.</summary>
public static class ZeroSample
{
    /// <summary>The most values one input's sample of zeros may hold (a 3x1024x1024 image holds 3,145,728).</summary>
    public const long MaxValues = 1 << 22;

    /// <param name="remedy">What to do instead when a shape is too large, e.g. "give a sample with --sample".</param>
    /// <exception cref="NotSupportedException">An input's shape holds more than <see cref="MaxValues"/> values.</exception>
    public static JsonElement Of(IReadOnlyList<OnnxTensor> inputs, string remedy)
    {
        foreach (var input in inputs)
        {
            var values = 1L;
            foreach (var dim in input.Shape)
            {
                // Checked against the limit before multiplying: a shape like 2^40 x 2^40 never overflows into a small number.
                values = dim <= 1 ? values : values > MaxValues / dim ? MaxValues + 1 : values * dim;
            }

            if (values > MaxValues)
            {
                throw new NotSupportedException(
                    $"input '{input.Name}' of shape [{string.Join(", ", input.Shape)}] holds more than {MaxValues:N0} values (dynamic dimensions taken as 1): "
                    + $"too many for a sample of zeros; {remedy}.");
            }
        }

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
