using System.Text.Json;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Tensors;

namespace MLPipeline.Training.OnnxImport;

/// <summary>
/// The sample input of an imported model: one row per input, as nested JSON arrays. From a sample file
/// (<c>{"inputs": {name: nested}}</c>, as the samples beside the bundled models, or just <c>{name: nested}</c>; only
/// its first row is kept when the batch dimension is dynamic), or built from the shapes (zeros, dynamic dimensions 1).
/// </summary>
internal static class OnnxSample
{
    /// <exception cref="OnnxImportException">The file is not JSON or lacks an input, or a value does not fit the graph.</exception>
    public static JsonElement FromFile(string path, IReadOnlyList<OnnxTensor> inputs)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new OnnxImportException($"{path}: not valid JSON (line {(ex.LineNumber ?? 0) + 1}).", ex);
        }

        var values = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("inputs", out var wrapped) && wrapped.ValueKind == JsonValueKind.Object ? wrapped : root;
        if (values.ValueKind != JsonValueKind.Object)
        {
            throw new OnnxImportException($"{path}: must be an object of input name -> nested arrays (or {{\"inputs\": {{...}}}}).");
        }

        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var input in inputs)
            {
                if (!values.TryGetProperty(input.Name, out var value))
                {
                    throw new OnnxImportException($"{path}: has no value for input '{input.Name}'.");
                }

                writer.WritePropertyName(input.Name);
                if (input.Shape.Count > 0 && input.Shape[0] < 0 && value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 1)
                {
                    // One row is enough for a warm-up and shows a client the layout.
                    writer.WriteStartArray();
                    value[0].WriteTo(writer);
                    writer.WriteEndArray();
                }
                else
                {
                    value.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return JsonDocument.Parse(stream.ToArray()).RootElement.Clone();
    }

    /// <summary>Zeros (false, empty strings) in every input's shape, each dynamic dimension 1.</summary>
    /// <exception cref="OnnxImportException">An input's shape holds too many values for a sample of zeros.</exception>
    public static JsonElement FromShapes(IReadOnlyList<OnnxTensor> inputs, string file)
    {
        try
        {
            return ZeroSample.Of(inputs, "give a sample with --sample");
        }
        catch (NotSupportedException ex)
        {
            throw new OnnxImportException($"{file}: {ex.Message}", ex);
        }
    }

    /// <summary>The sample as tensors, each checked against its input's element type and shape.</summary>
    public static IReadOnlyList<JsonTensor> Tensors(JsonElement sample, IReadOnlyList<OnnxTensor> inputs, string source)
    {
        var tensors = new List<JsonTensor>();
        foreach (var input in inputs)
        {
            try
            {
                var tensor = JsonTensor.FromNested(sample.GetProperty(input.Name), input.ElementType, $"{source}: input '{input.Name}'");
                if (JsonTensor.ShapeProblem(input, tensor.Shape) is { } problem)
                {
                    throw new OnnxImportException($"{source}: {problem}");
                }

                tensors.Add(tensor);
            }
            catch (TensorInputException ex)
            {
                throw new OnnxImportException(ex.Message, ex);
            }
        }

        return tensors;
    }
}
