using System.Text.Json.Nodes;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;

namespace MLPipeline.Shared.Tests.Manifest;

/// <summary>The fields of an imported ONNX model's manifest (format onnx, graph): valid ones read back, each problem names its field.</summary>
public sealed class OnnxManifestTests : IDisposable
{
    private readonly string _package = TestModelPackage.Create("linear", "v1", withOnnx: true);

    public void Dispose() => Directory.Delete(_package, recursive: true);

    /// <summary>The package's manifest turned into a format onnx one: model.onnx only, and a graph x float[-1,1] -> y.</summary>
    private byte[] Onnx => CraftedPackage.Mutate(File.ReadAllBytes(Path.Combine(_package, ModelManifest.FileName)), m =>
    {
        m["format"] = "onnx";
        var artifacts = m["artifacts"]!.AsObject();
        artifacts.Remove(ModelManifest.ModelFileName);
        m["graph"] = JsonNode.Parse("""
            {
              "producer": { "name": "pytorch", "version": "1.13.0" },
              "irVersion": 7,
              "opsets": { "ai.onnx": 13 },
              "inputs": [ { "name": "x", "elementType": "float", "shape": [-1, 1], "kind": "tensor" } ],
              "outputs": [
                { "name": "y", "elementType": "float", "shape": [-1, 1], "kind": "tensor" },
                { "name": "p", "elementType": "float", "shape": [], "kind": "map-sequence", "keyType": "int64" }
              ],
              "sampleInput": { "x": [[10]] }
            }
            """);
    });

    [Fact]
    public void A_valid_onnx_manifest_reads_back_its_graph()
    {
        var manifest = ManifestReader.ReadStored(Onnx, "store", "linear", "v1");

        manifest.Format.Should().Be(ModelFormat.Onnx);
        manifest.ModelFile.Should().Be(ModelManifest.OnnxFileName);
        manifest.Graph!.Inputs.Single().Shape.Should().Equal(-1, 1);
        manifest.Graph.Outputs[1].IsMapSequence.Should().BeTrue();
        manifest.Graph.SampleInput.GetProperty("x")[0][0].GetDouble().Should().Be(10);
    }

    [Fact]
    public void A_manifest_without_format_is_mlnet()
    {
        var manifest = ManifestReader.ReadStored(File.ReadAllBytes(Path.Combine(_package, ModelManifest.FileName)), "store", "linear", "v1");

        manifest.Format.Should().BeNull();
        manifest.IsOnnx.Should().BeFalse();
        manifest.ModelFile.Should().Be(ModelManifest.ModelFileName);
    }

    [Theory]
    [InlineData("graph", null, "graph: is missing or null; a format onnx manifest describes the graph's inputs and outputs")]
    [InlineData("graph.inputs[0].elementType", "\"uint8\"", "graph.inputs[0].elementType: \"uint8\" is not an element type the service can express (float, double, int32, int64, bool, string)")]
    [InlineData("graph.inputs[0].shape", "[-2, 1]", "graph.inputs[0].shape[0]: -2 is not a dimension (-1 for dynamic, else 0 or more)")]
    [InlineData("graph.inputs[0].kind", "\"map-sequence\"", "graph.inputs[0].kind: an input must be a tensor; map-sequence is an output kind (ZipMap)")]
    [InlineData("graph.outputs[1].keyType", "\"float\"", "graph.outputs[1].keyType: \"float\" is not a map key type (int64, string)")]
    [InlineData("graph.outputs[1].name", "\"y\"", "graph.outputs[1].name: \"y\" appears twice")]
    [InlineData("graph.opsets", "{}", "graph.opsets: is empty; every graph imports at least one operator set")]
    [InlineData("graph.sampleInput", "{\"z\": [[1]]}", "graph.sampleInput.x: is missing; the sample holds a value for every input")]
    [InlineData("graph.producer", null, "graph.producer: is missing or null")]
    public void Each_problem_names_its_field(string path, string? value, string problem)
    {
        var crafted = CraftedPackage.Mutate(Onnx, m => Set(m, path, value is null ? null : JsonNode.Parse(value)));

        FluentActions.Invoking(() => ManifestReader.ReadStored(crafted, "store", "linear", "v1"))
            .Should().Throw<InvalidManifestException>().WithMessage($"*invalid manifest: {problem}");
    }

    [Fact]
    public void An_onnx_version_must_list_model_onnx_and_an_mlnet_one_carries_no_graph()
    {
        var withoutOnnx = CraftedPackage.Mutate(Onnx, m => m["artifacts"]!.AsObject().Remove(ModelManifest.OnnxFileName));
        var mlnetWithGraph = CraftedPackage.Mutate(Onnx, m =>
        {
            m["format"] = "mlnet";
            m["artifacts"]![ModelManifest.ModelFileName] = new JsonObject { ["sha256"] = new string('0', 64), ["size"] = 1 };
        });

        FluentActions.Invoking(() => ManifestReader.ReadStored(withoutOnnx, "store", "linear", "v1"))
            .Should().Throw<InvalidManifestException>().WithMessage("*invalid manifest: artifacts: does not list model.onnx, which every onnx version has");
        FluentActions.Invoking(() => ManifestReader.ReadStored(mlnetWithGraph, "store", "linear", "v1"))
            .Should().Throw<InvalidManifestException>().WithMessage("*invalid manifest: graph: is only for format onnx; this manifest is mlnet");
    }

    private static void Set(JsonObject manifest, string path, JsonNode? value)
    {
        JsonNode node = manifest;
        var parts = path.Split('.');
        foreach (var part in parts[..^1])
        {
            node = part.EndsWith(']') ? node[part[..part.IndexOf('[')]]![int.Parse(part[(part.IndexOf('[') + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)]! : node[part]!;
        }

        var last = parts[^1];
        if (last.EndsWith(']'))
        {
            node[last[..last.IndexOf('[')]]![int.Parse(last[(last.IndexOf('[') + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)] = value;
        }
        else
        {
            node[last] = value;
        }
    }
}
