using System.Text.Json;

namespace MLPipeline.Shared.Manifest;

/// <summary>
/// The manifest fields of an imported ONNX model (<c>format: onnx</c>): the graph's tensors, producer, opsets and
/// sample input, checked like every other field so that a reader can trust them; each problem names its field.
/// </summary>
internal static class OnnxGraphValidator
{
    private const string Missing = "is missing or null";

    public static ManifestProblem? FindProblem(ModelManifest manifest)
    {
        if (!manifest.IsOnnx)
        {
            return manifest.Graph is null ? null : new("graph", "is only for format onnx; this manifest is mlnet");
        }

        if (manifest.Graph is not { } graph)
        {
            return new("graph", $"{Missing}; a format onnx manifest describes the graph's inputs and outputs");
        }

        return Producer(graph.Producer)
            ?? (graph.IrVersion > 0 ? null : new ManifestProblem("graph.irVersion", $"{graph.IrVersion} is not an ONNX IR version (1 or more)"))
            ?? Opsets(graph.Opsets)
            ?? Tensors("graph.inputs", graph.Inputs, inputs: true)
            ?? Tensors("graph.outputs", graph.Outputs, inputs: false)
            ?? Sample(graph);
    }

    private static ManifestProblem? Producer(OnnxProducer? producer) =>
        producer is null ? new("graph.producer", Missing) : ManifestValidator.Text("graph.producer.name", producer.Name);

    private static ManifestProblem? Opsets(IReadOnlyDictionary<string, long>? opsets)
    {
        if (opsets is null)
        {
            return new("graph.opsets", Missing);
        }

        foreach (var (domain, version) in opsets)
        {
            if (version < 1)
            {
                return new($"graph.opsets[{ArtifactName.Quote(domain)}]", $"{version} is not an operator set version (1 or more)");
            }
        }

        return opsets.Count == 0 ? new("graph.opsets", "is empty; every graph imports at least one operator set") : null;
    }

    private static ManifestProblem? Tensors(string field, IReadOnlyList<OnnxTensor>? tensors, bool inputs)
    {
        if (tensors is null)
        {
            return new(field, Missing);
        }

        if (tensors.Count == 0)
        {
            return new(field, "is empty");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tensors.Count; i++)
        {
            var at = $"{field}[{i}]";
            var tensor = tensors[i];
            if (tensor is null)
            {
                return new(at, Missing);
            }

            var problem = ManifestValidator.Text($"{at}.name", tensor.Name)
                ?? (names.Add(tensor.Name) ? null : new ManifestProblem($"{at}.name", $"{ArtifactName.Quote(tensor.Name)} appears twice"))
                ?? Kind(at, tensor, inputs)
                ?? ElementType($"{at}.elementType", tensor.ElementType)
                ?? Shape($"{at}.shape", tensor);
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static ManifestProblem? Kind(string at, OnnxTensor tensor, bool inputs)
    {
        switch (tensor.Kind)
        {
            case OnnxTensor.TensorKind:
                return tensor.KeyType is null ? null : new($"{at}.keyType", "is only for a map-sequence");
            case OnnxTensor.MapSequenceKind when inputs:
                return new($"{at}.kind", "an input must be a tensor; map-sequence is an output kind (ZipMap)");
            case OnnxTensor.MapSequenceKind:
                return tensor.KeyType is "int64" or "string" ? null : new($"{at}.keyType", $"{ArtifactName.Quote(tensor.KeyType)} is not a map key type (int64, string)");
            default:
                return new($"{at}.kind", $"{ArtifactName.Quote(tensor.Kind)} is not a kind ({OnnxTensor.TensorKind}, {OnnxTensor.MapSequenceKind})");
        }
    }

    private static ManifestProblem? ElementType(string field, string? type) =>
        type is not null && OnnxTensor.ElementTypes.Contains(type)
            ? null
            : new(field, $"{ArtifactName.Quote(type)} is not an element type the service can express ({string.Join(", ", OnnxTensor.ElementTypes)})");

    private static ManifestProblem? Shape(string field, OnnxTensor tensor)
    {
        if (tensor.Shape is null)
        {
            return new(field, Missing);
        }

        for (var d = 0; d < tensor.Shape.Count; d++)
        {
            if (tensor.Shape[d] < -1)
            {
                return new($"{field}[{d}]", $"{tensor.Shape[d]} is not a dimension (-1 for dynamic, else 0 or more)");
            }
        }

        return null;
    }

    private static ManifestProblem? Sample(OnnxGraph graph)
    {
        if (graph.SampleInput.ValueKind != JsonValueKind.Object)
        {
            return new("graph.sampleInput", graph.SampleInput.ValueKind == JsonValueKind.Undefined ? Missing : "must be an object: input name -> nested arrays");
        }

        foreach (var input in graph.Inputs)
        {
            if (!graph.SampleInput.TryGetProperty(input.Name, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            {
                return new($"graph.sampleInput.{input.Name}", "is missing; the sample holds a value for every input");
            }
        }

        return null;
    }
}
