using System.CommandLine;
using Google.Protobuf;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Onnx;
using MLPipeline.Training.Onnx.Proto;
using MLPipeline.Training.Tests.StoreCommands;

namespace MLPipeline.Training.Tests.OnnxImport;

/// <summary>
/// <c>import-onnx</c> on the four models other frameworks exported (data/onnx-models): each is published as a normal
/// immutable version with its graph in the manifest; a file that fails a check exits 5 and publishes nothing.
/// </summary>
public sealed class ImportOnnxCommandTests : IDisposable
{
    private readonly TempFolder _temp = new("mlpipeline-import-onnx-");

    private string Store => Path.Combine(_temp.Path, "store");

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, string, string, string> Models => new()
    {
        // model, input with its shape, outputs with their types, producer
        { "digits-cnn", "image float[-1,1,8,8]", "probabilities float[-1,10]", "pytorch 1.13.0" },
        { "house-prices-mlp", "features float[-1,12]", "price float[-1,1]", "pytorch 1.13.0" },
        { "linear-2x-minus-1", "x float[-1,1]", "y float[-1,1]", "pytorch 1.13.0" },
        { "iris-logreg-sklearn", "float_input float[-1,4]", "label int64[-1]; output_probability map-sequence(int64->float)", "skl2onnx-layout" },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Each_model_is_published_with_its_graph_opsets_hash_and_one_sample_row(string model, string input, string outputs, string producer)
    {
        var labels = OnnxModelFiles.Labels(model);
        var args = new List<string> { "import-onnx", OnnxModelFiles.Model(model), "--name", model, "--sample", OnnxModelFiles.Samples(model), "--store", Store, "--alias", "production" };
        if (labels is not null)
        {
            args.AddRange(["--labels", labels]);
        }

        var result = await RunAsync([.. args]);

        result.ExitCode.Should().Be(ExitCodes.Ok, result.Error);
        var store = ModelStoreFactory.Open(Store);
        var manifest = await store.ResolveAsync(ModelReference.Parse($"{model}@production"));
        manifest.Format.Should().Be(ModelFormat.Onnx);
        ManifestValidator.FindProblem(manifest).Should().BeNull();
        var graph = manifest.Graph!;
        string.Join("; ", graph.Inputs.Select(Describe)).Should().Be(input);
        string.Join("; ", graph.Outputs.Select(Describe)).Should().Be(outputs);
        $"{graph.Producer.Name} {graph.Producer.Version}".Trim().Should().Be(producer);
        graph.Opsets["ai.onnx"].Should().Be(13);
        manifest.Artifacts.Keys.Should().Equal(ModelManifest.OnnxFileName);
        manifest.Artifacts[ModelManifest.OnnxFileName].Sha256.Should().Be(ArtifactHash.Describe(OnnxModelFiles.Model(model)).Sha256);
        (await store.ReadArtifactAsync(manifest, ModelManifest.OnnxFileName)).Should().Equal(await File.ReadAllBytesAsync(OnnxModelFiles.Model(model)));

        // The sample keeps the file's first row: a batch of one.
        graph.SampleInput.GetProperty(graph.Inputs[0].Name).GetArrayLength().Should().Be(1);
        manifest.Task.Should().Be(labels is null ? ModelTask.Regression : ModelTask.Multiclass);
    }

    [Fact]
    public async Task Without_a_sample_the_sample_is_zeros_in_the_input_shape_with_one_row()
    {
        var result = await RunAsync("import-onnx", OnnxModelFiles.Model("digits-cnn"), "--name", "digits", "--store", Store, "--labels", OnnxModelFiles.Labels("digits-cnn")!);

        result.ExitCode.Should().Be(ExitCodes.Ok, result.Error);
        var manifest = await ModelStoreFactory.Open(Store).ResolveAsync(ModelReference.Parse("digits"));
        System.Text.Json.JsonSerializer.Serialize(manifest.Graph!.SampleInput.GetProperty("image")).Should().Be("[[[[0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0]]]]");
        manifest.Label.Column.Should().Be("probabilities");
        manifest.Label.Classes.Should().Equal("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    }

    [Fact]
    public async Task A_corrupt_file_exits_5_saying_why_and_publishes_nothing()
    {
        var bytes = await File.ReadAllBytesAsync(OnnxModelFiles.Model("digits-cnn"));
        var corrupt = Path.Combine(_temp.Path, "corrupt.onnx");
        await File.WriteAllBytesAsync(corrupt, bytes[..(bytes.Length / 2)]);

        var result = await RunAsync("import-onnx", corrupt, "--name", "digits", "--store", Store);

        result.ExitCode.Should().Be(ExitCodes.OnnxExportFailed);
        result.Error.Should().Contain("onnx import refused: corrupt.onnx").And.Contain("Nothing was published.");
        Directory.Exists(Store).Should().BeFalse("nothing may be written to the store");
    }

    [Fact]
    public async Task An_output_type_the_service_cannot_express_exits_5_naming_the_output()
    {
        // x (float) -> Cast to uint8 -> y: a valid graph ONNX Runtime runs, whose output JSON answers cannot carry as such.
        var builder = new OnnxGraphBuilder();
        builder.AddInput("x", TensorProto.Types.DataType.Float, null, 1);
        builder.Node("Cast", ["x"], [OnnxAttributes.Int("to", (long)TensorProto.Types.DataType.Uint8)], output: "y");
        builder.AddOutput("y", TensorProto.Types.DataType.Uint8, null, 1);
        var file = Path.Combine(_temp.Path, "bytes.onnx");
        await File.WriteAllBytesAsync(file, builder.Build("uint8 output", new Dictionary<string, string>()).ToByteArray());

        var result = await RunAsync("import-onnx", file, "--name", "bytes", "--store", Store);

        result.ExitCode.Should().Be(ExitCodes.OnnxExportFailed);
        result.Error.Should().Contain("output 'y' holds uint8 tensors, which the service cannot express");
        Directory.Exists(Store).Should().BeFalse();
    }

    [Fact]
    public async Task Labels_that_match_no_output_and_a_sample_of_the_wrong_shape_exit_5()
    {
        var labels = _temp.File("three.json", "[\"a\", \"b\", \"c\"]");
        var sample = _temp.File("sample.json", "{\"image\": [[1, 2, 3]]}");

        var wrongLabels = await RunAsync("import-onnx", OnnxModelFiles.Model("digits-cnn"), "--name", "digits", "--store", Store, "--labels", labels);
        var wrongSample = await RunAsync("import-onnx", OnnxModelFiles.Model("digits-cnn"), "--name", "digits", "--store", Store, "--sample", sample);

        wrongLabels.ExitCode.Should().Be(ExitCodes.OnnxExportFailed);
        wrongLabels.Error.Should().Contain("the labels name 3 classes, but no output is a sequence of maps (ZipMap) or a float tensor whose last dimension is 3");
        wrongSample.ExitCode.Should().Be(ExitCodes.OnnxExportFailed);
        wrongSample.Error.Should().Contain("input 'image' has shape [1, 3] but the graph takes [-1, 1, 8, 8]");
        Directory.Exists(Store).Should().BeFalse();
    }

    [Fact]
    public async Task An_opset_older_than_ONNX_Runtime_supports_exits_5()
    {
        var model = ModelProto.Parser.ParseFrom(await File.ReadAllBytesAsync(OnnxModelFiles.Model("linear-2x-minus-1")));
        model.OpsetImport[0].Version = 6;
        var file = Path.Combine(_temp.Path, "old.onnx");
        await File.WriteAllBytesAsync(file, model.ToByteArray());

        var result = await RunAsync("import-onnx", file, "--name", "old", "--store", Store);

        result.ExitCode.Should().Be(ExitCodes.OnnxExportFailed);
        result.Error.Should().Contain("it uses ai.onnx opset 6; ONNX Runtime supports opset 7 and later");
    }

    private static string Describe(OnnxTensor tensor) => $"{tensor.Name} {Training.OnnxImport.OnnxModelImport.Describe(tensor)}";

    private static async Task<CliResult> RunAsync(params string[] args)
    {
        var root = new RootCommand { ImportOnnxCommand.Create() };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return new CliResult(code, output.ToString(), error.ToString());
    }
}
