using System.Text.Json;
using MLPipeline.Serving.Onnx;
using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Tensors;

namespace MLPipeline.Serving.Protocols;

/// <summary>
/// Open Inference Protocol v2 for an imported ONNX model: one tensor per graph input with its multi-dimensional
/// <c>shape</c> (checked against the graph: the rank and every fixed dimension; -1 dimensions take any size), the
/// graph's datatype, and <c>data</c> flat or nested. <c>outputs</c> selects outputs by name (default: all). Answers
/// each output as a tensor; a ZipMap output is BYTES of shape [rows] whose data are JSON objects.
/// </summary>
internal static class OnnxInferenceProtocol
{
    public static int Run(JsonElement root, DynamicLease lease, string modelName, string requestId, int maxBatch, Utf8JsonWriter output)
    {
        var onnx = lease.Generation.Onnx!;
        var graphInputs = onnx.Graph.Inputs;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidInputException("inputs", "the body must be an object with an 'inputs' array (one tensor per graph input).");
        }

        var tensors = new JsonTensor?[graphInputs.Count];
        var positions = new int[graphInputs.Count];
        var index = 0;
        foreach (var input in inputs.EnumerateArray())
        {
            var field = $"inputs[{index++}]";
            if (input.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidInputException(field, "must be a tensor object {name, shape, datatype, data}.");
            }

            var name = Text(input, "name", field);
            var position = IndexOf(graphInputs, name);
            if (position < 0)
            {
                throw new InvalidInputException(field + ".name", $"'{name}' is not an input of model '{modelName}' (inputs: {string.Join(", ", graphInputs.Select(i => i.Name))}).");
            }

            if (tensors[position] is not null)
            {
                throw new InvalidInputException(field + ".name", $"input '{name}' appears twice.");
            }

            var graphInput = graphInputs[position];
            var datatype = Text(input, "datatype", field);
            var expected = Datatype(graphInput.ElementType);
            if (datatype != expected)
            {
                throw new InvalidInputException(field + ".datatype", $"input '{name}' takes {expected}, not '{datatype}'.");
            }

            var shape = Shape(input, field);
            if (JsonTensor.ShapeProblem(graphInput, shape) is { } problem)
            {
                throw new InvalidInputException(field + ".shape", problem);
            }

            if (!input.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidInputException(field + ".data", "is required and must be an array.");
            }

            tensors[position] = OnnxTensors.Data(data, shape, graphInput.ElementType, $"{field}.data");
            positions[position] = index - 1;
        }

        for (var i = 0; i < tensors.Length; i++)
        {
            if (tensors[i] is null)
            {
                throw new InvalidInputException("inputs", $"input '{graphInputs[i].Name}' is missing (inputs: {string.Join(", ", graphInputs.Select(t => t.Name))}).");
            }
        }

        if (onnx.SharedDimensionProblem(tensors!, out var culprit) is { } disagree)
        {
            throw new InvalidInputException($"inputs[{positions[culprit]}].shape", disagree);
        }

        // Every input's first dimension counts against the limit, not only the first input's.
        var rows = (int)Math.Min(tensors.Max(t => t!.Shape.Length > 0 ? t.Shape[0] : 1), int.MaxValue);
        if (rows > maxBatch)
        {
            throw new InvalidInputException("inputs", $"hold {rows} rows, more than {maxBatch} (Serving:Limits:MaxBatchSize).");
        }

        var wanted = Outputs(root, onnx, modelName);
        using var results = onnx.Run(tensors!, wanted);
        output.WriteStartObject();
        output.WriteString("model_name", modelName);
        output.WriteString("model_version", lease.Generation.Version);
        // The protocol's own request id is echoed; without one, the answer carries the prediction id (X-Request-Id).
        output.WriteString("id", root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? JsonText.GetString(id, "id") : requestId);

        output.WriteStartArray("outputs");
        for (var o = 0; o < wanted.Length; o++)
        {
            var value = results[o];
            output.WriteStartObject();
            output.WriteString("name", wanted[o]);
            output.WriteString("datatype", OnnxValueJson.Datatype(value));
            output.WriteStartArray("shape");
            foreach (var dim in OnnxValueJson.Shape(value))
            {
                output.WriteNumberValue(dim);
            }

            output.WriteEndArray();
            output.WritePropertyName("data");
            OnnxValueJson.WriteFlat(output, value);
            output.WriteEndObject();
        }

        output.WriteEndArray();
        output.WriteEndObject();
        return rows;
    }

    /// <summary>The v2 datatype of an ONNX element type.</summary>
    public static string Datatype(string elementType) => elementType switch
    {
        "float" => "FP32",
        "double" => "FP64",
        "int32" => "INT32",
        "int64" => "INT64",
        "bool" => "BOOL",
        _ => "BYTES",
    };

    private static string[] Outputs(JsonElement root, OnnxModel onnx, string modelName)
    {
        if (!root.TryGetProperty("outputs", out var requested) || requested.ValueKind == JsonValueKind.Null)
        {
            return onnx.AllOutputs;
        }

        if (requested.ValueKind != JsonValueKind.Array || requested.GetArrayLength() == 0)
        {
            throw new InvalidInputException("outputs", "must be a non-empty array of {\"name\": output}.");
        }

        var names = new List<string>();
        var index = 0;
        foreach (var item in requested.EnumerateArray())
        {
            var field = $"outputs[{index++}]";
            var name = item.ValueKind == JsonValueKind.Object ? Text(item, "name", field) : throw new InvalidInputException(field, "must be an object {\"name\": output}.");
            if (!onnx.AllOutputs.Contains(name))
            {
                throw new InvalidInputException(field + ".name", $"'{name}' is not an output of model '{modelName}' (outputs: {string.Join(", ", onnx.AllOutputs)}).");
            }

            if (!names.Contains(name))
            {
                names.Add(name);
            }
        }

        return [.. names];
    }

    private static int IndexOf(IReadOnlyList<OnnxTensor> inputs, string name)
    {
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Text(JsonElement element, string property, string field) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? JsonText.GetString(value, $"{field}.{property}")!
            : throw new InvalidInputException($"{field}.{property}", "is required (a string).");

    private static long[] Shape(JsonElement input, string field)
    {
        if (!input.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidInputException(field + ".shape", "is required: the tensor's dimensions, e.g. [1, 1, 8, 8].");
        }

        var dims = new List<long>();
        foreach (var dim in shape.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out var value) || value < 0)
            {
                throw new InvalidInputException(field + ".shape", "must hold non-negative integers.");
            }

            dims.Add(value);
        }

        return [.. dims];
    }
}
