using System.Text.Json;
using MLPipeline.Serving.Onnx;
using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Tensors;

namespace MLPipeline.Serving.Protocols;

/// <summary>
/// The instances protocol for an imported ONNX model: <c>{"instances": [{"image": [[...]]}]}</c>, one nested array per
/// graph input and instance (the instance's tensor without the batch dimension); the instances are stacked into one
/// batch and run once. Each prediction carries every output by name (one row of it) and, when the model's class
/// labels are known, <c>label</c> and <c>scores</c> by class name (replacing graph outputs of those names).
/// </summary>
internal static class OnnxInstancesProtocol
{
    public static int Run(ReadOnlyMemory<byte> body, DynamicLease lease, string modelName, string requestId, int maxBatch, Utf8JsonWriter output)
    {
        var onnx = lease.Generation.Onnx!;
        using var document = JsonText.Parse(body, maxDepth: 64);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("instances", out var instances))
        {
            throw new InvalidInputException("instances", "is missing; send {\"instances\": [{input: nested arrays}]}.");
        }

        if (instances.ValueKind != JsonValueKind.Array || instances.GetArrayLength() == 0)
        {
            throw new InvalidInputException("instances", "must be a non-empty array of objects, one per row.");
        }

        var count = instances.GetArrayLength();
        if (count > maxBatch)
        {
            throw new InvalidInputException("instances", $"holds more than {maxBatch} instances (Serving:Limits:MaxBatchSize); split the batch.");
        }

        var inputs = onnx.Graph.Inputs;
        var tensors = new JsonTensor[inputs.Count];
        var values = new JsonElement[count];
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            var row = 0;
            foreach (var instance in instances.EnumerateArray())
            {
                if (instance.ValueKind != JsonValueKind.Object)
                {
                    throw new InvalidInputException($"instances[{row}]", "must be an object of input values.");
                }

                if (!instance.TryGetProperty(input.Name, out values[row]))
                {
                    throw new InvalidInputException($"instances[{row}].{input.Name}", $"is missing; model '{modelName}' takes {string.Join(", ", inputs.Select(t => t.Name))} in every instance.");
                }

                row++;
            }

            tensors[i] = OnnxTensors.Rows(values, input.ElementType, input.Name);
            if (JsonTensor.ShapeProblem(input, tensors[i].Shape) is { } problem)
            {
                throw new InvalidInputException($"instances[0].{input.Name}", problem + " An instance holds one row, without the batch dimension.");
            }
        }

        if (onnx.SharedDimensionProblem(tensors, out var culprit) is { } disagree)
        {
            throw new InvalidInputException($"instances[0].{inputs[culprit].Name}", disagree);
        }

        using var results = onnx.Run(tensors, onnx.AllOutputs);
        Write(output, modelName, lease.Generation.Version, onnx, results, count, requestId);
        return count;
    }

    /// <summary>Also the warm-up's answer: a version whose sample answer cannot be written is not served.</summary>
    internal static void Write(Utf8JsonWriter output, string modelName, string version, OnnxModel onnx, IReadOnlyList<Microsoft.ML.OnnxRuntime.OrtValue> results, int count, string requestId)
    {
        var names = onnx.AllOutputs;
        var classIndex = onnx.ClassOutput is { } classOutput ? Array.IndexOf(names, classOutput.Name) : -1;
        output.WriteStartObject();
        output.WriteString("model"u8, modelName);
        output.WriteString("version"u8, version);
        output.WriteString("id"u8, requestId);
        output.WriteStartArray("predictions"u8);
        for (var row = 0; row < count; row++)
        {
            output.WriteStartObject();
            output.WriteString("id"u8, Monitoring.PredictionIds.OfRow(requestId, row, count));
            for (var o = 0; o < names.Length; o++)
            {
                if (classIndex >= 0 && names[o] is "label" or "scores")
                {
                    continue;
                }

                output.WritePropertyName(names[o]);
                OnnxValueJson.WriteRow(output, results[o], row);
            }

            if (classIndex >= 0)
            {
                ClassScores.Write(output, results[classIndex], row, onnx);
            }

            output.WriteEndObject();
        }

        output.WriteEndArray();
        output.WriteEndObject();
    }
}
