using System.CommandLine;
using MLPipeline.TestSupport;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Tests.StoreCommands;
using static MLPipeline.TestSupport.CraftedOnnx;

namespace MLPipeline.Training.Tests.OnnxImport;

/// <summary>
/// <c>import-onnx</c> on files crafted to hurt: data read from other files, graphs with nothing to feed or answer,
/// shapes no sample can fill, files that are not models. Each is refused with exit code 5, a message naming the file and
/// the tensor, and nothing in the store.
/// </summary>
public sealed class HostileOnnxImportTests : IDisposable
{
    private readonly TempFolder _temp = new("mlpipeline-hostile-onnx-");

    private string Store => Path.Combine(_temp.Path, "store");

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> ExternalLocations => new()
    {
        // ONNX Runtime resolves a model loaded from bytes against the working directory, and reads any file under it.
        Path.GetFileName(typeof(HostileOnnxImportTests).Assembly.Location),
        "../../etc/passwd",
        "/etc/hostname",
        "weights.bin",
    };

    [Theory]
    [MemberData(nameof(ExternalLocations))]
    public async Task An_initializer_with_external_data_is_refused_naming_it_before_anything_reads_the_file(string location)
    {
        File.WriteAllBytes(Path.Combine(_temp.Path, "weights.bin"), [1, 2, 3, 4]);
        var file = Write("external.onnx", Leaking(External("W", location, 4)));

        var result = await ImportAsync(file);

        Refused(result, $"external.onnx: initializer 'W' keeps its data in another file ('{location}')");
    }

    [Fact]
    public async Task External_data_in_a_node_attribute_or_a_subgraph_is_refused_naming_the_tensor()
    {
        var constant = Write("constant.onnx", Model(Graph(
            "g",
            [Node("Constant", [], ["c"], [TensorAttribute("value", External("secret", "appsettings.json", 4))]), Node("Cast", ["c"], ["leak"], [IntAttribute("to", FloatType)]), Node("Identity", ["x"], ["y"])],
            [Tensor("x", FloatType, "N", 1L)],
            [Tensor("y", FloatType, "N", 1L), Tensor("leak", FloatType, 4L)])));
        var branch = Graph("then_branch", [Node("Cast", ["inner"], ["z"], [IntAttribute("to", FloatType)])], [], [Tensor("z", FloatType, 4L)], [External("inner", "appsettings.json", 4)]);
        var subgraph = Write("subgraph.onnx", Model(Graph(
            "g",
            [Node("If", ["b"], ["z"], [GraphAttribute("then_branch", branch), GraphAttribute("else_branch", branch)]), Node("Identity", ["x"], ["y"])],
            [Tensor("x", FloatType, "N", 1L), Tensor("b", BoolType)],
            [Tensor("y", FloatType, "N", 1L), Tensor("z", FloatType, 4L)])));

        Refused(await ImportAsync(constant), "constant.onnx: attribute 'value' of node 'Constant_c' keeps its data in another file ('appsettings.json')");
        Refused(await ImportAsync(subgraph), "subgraph.onnx: initializer 'inner' of graph 'then_branch' (attribute 'then_branch' of node 'If_z') keeps its data in another file ('appsettings.json')");
    }

    [Fact]
    public async Task Subgraphs_nested_past_protobufs_depth_limit_are_refused_by_the_check_not_by_the_stack()
    {
        var leaf = Graph("leaf", [Node("Identity", ["x"], ["y"])], [Tensor("x", FloatType, "N", 1L)], [Tensor("y", FloatType, "N", 1L)]);
        var graph = leaf;
        for (var level = 1; level <= 60; level++)
        {
            graph = Graph($"g{level}", [Node("If", ["b"], ["y"], [GraphAttribute("then_branch", graph), GraphAttribute("else_branch", leaf)])], [Tensor("x", FloatType, "N", 1L), Tensor("b", BoolType)], [Tensor("y", FloatType, "N", 1L)]);
        }

        Refused(await ImportAsync(Write("deep.onnx", Model(graph))), "deep.onnx: it does not parse as an ONNX ModelProto (Protocol message had too many levels of nesting");
    }

    public static TheoryData<string, byte[], string> NotModels => new()
    {
        { "empty.onnx", [], "empty.onnx is not an ONNX model: the file is empty." },
        { "text.onnx", "this is not a model, just text\n"u8.ToArray(), "text.onnx is not an ONNX model: it does not parse as an ONNX ModelProto" },
        { "truncated.onnx", Identity()[..^3], "truncated.onnx is not an ONNX model" },
    };

    [Theory]
    [MemberData(nameof(NotModels))]
    public async Task A_file_that_is_not_a_model_is_refused_saying_so(string name, byte[] bytes, string message) =>
        Refused(await ImportAsync(Write(name, bytes)), message);

    [Fact]
    public async Task Graphs_with_no_input_or_no_output_are_refused_saying_which()
    {
        var noInput = Write("no-input.onnx", Model(Graph("g", [Node("Constant", [], ["y"], [TensorAttribute("value", Floats("v", [1f], 1))])], [], [Tensor("y", FloatType, 1L)])));
        var noOutput = Write("no-output.onnx", Model(Graph("g", [Node("Identity", ["x"], ["y"])], [Tensor("x", FloatType, "N", 1L)], [])));

        Refused(await ImportAsync(noInput), "no-input.onnx: the graph has no inputs; the service answers requests that send one tensor per input.");
        Refused(await ImportAsync(noOutput), "no-output.onnx: the graph has no outputs; the service answers a request with the graph's outputs.");
    }

    [Fact]
    public async Task An_input_declared_twice_is_refused()
    {
        var file = Write("twice.onnx", Model(Graph("g", [Node("Identity", ["x"], ["y"])], [Tensor("x", FloatType, "N", 1L), Tensor("x", FloatType, "N", 1L)], [Tensor("y", FloatType, "N", 1L)])));

        Refused(await ImportAsync(file), "twice.onnx");
    }

    public static TheoryData<string, object[]> HugeShapes => new()
    {
        // ONNX Runtime's metadata holds dimensions as int: larger ones come back cut to 32 bits.
        { "2^30 rows", [1L << 30, 1L] },
        { "rank 40 of size 2", [.. Enumerable.Repeat<object>(2L, 40)] },
        { "10^10 values behind a dynamic batch", ["N", 100_000L, 100_000L] },
    };

    [Theory]
    [MemberData(nameof(HugeShapes))]
    public async Task A_declared_shape_too_large_for_a_sample_of_zeros_is_refused_naming_the_input(string what, object[] dims)
    {
        var file = Write("huge.onnx", Model(Graph("g", [Node("Identity", ["x"], ["y"])], [Tensor("x", FloatType, dims)], [Tensor("y", FloatType, dims)])));

        var result = await ImportAsync(file);

        Refused(result, "huge.onnx: input 'x' of shape [");
        result.Error.Should().Contain("give a sample with --sample", what);
    }

    [Fact]
    public async Task Opsets_newer_than_ONNX_Runtime_or_of_an_unknown_domain_are_refused()
    {
        var identity = Graph("g", [Node("Identity", ["x"], ["y"])], [Tensor("x", FloatType, "N", 1L)], [Tensor("y", FloatType, "N", 1L)]);
        var custom = Graph("g", [Node("Leak", ["x"], ["y"], domain: "com.example")], [Tensor("x", FloatType, "N", 1L)], [Tensor("y", FloatType, "N", 1L)]);

        Refused(await ImportAsync(Write("future.onnx", Model(identity, ("", 1000)))), "future.onnx: ONNX Runtime 1.31.1 cannot load it");
        Refused(await ImportAsync(Write("custom.onnx", Model(custom, ("", 17), ("com.example", 1)))), "custom.onnx: it imports operator set domain 'com.example' (version 1), which ONNX Runtime does not implement");
        Refused(await ImportAsync(Write("undeclared.onnx", Model(custom))), "undeclared.onnx: ONNX Runtime 1.31.1 cannot load it");
    }

    [Fact]
    public async Task A_sequence_of_tensors_as_output_is_refused_naming_it()
    {
        var file = Write("sequence.onnx", Model(Graph("g", [Node("SequenceConstruct", ["x"], ["s"]), Node("Identity", ["x"], ["y"])], [Tensor("x", FloatType, "N", 1L)], [Tensor("y", FloatType, "N", 1L), SequenceOfTensors("s", FloatType, "N", 1L)])));

        Refused(await ImportAsync(file), "sequence.onnx: output 's' is a sequence of other than maps, which the service cannot express");
    }

    /// <summary>y = Identity(x), and the bytes of <paramref name="data"/> as a float output 'leak' a prediction would carry.</summary>
    private static byte[] Leaking(CraftedOnnx.ProtoMessage data) => Model(Graph(
        "leak",
        [Node("Identity", ["x"], ["y"]), Node("Cast", ["W"], ["leak"], [IntAttribute("to", FloatType)])],
        [Tensor("x", FloatType, "N", 1L)],
        [Tensor("y", FloatType, "N", 1L), Tensor("leak", FloatType, 4L)],
        [data]));

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_temp.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private void Refused(CliResult result, string message)
    {
        result.ExitCode.Should().Be(ExitCodes.OnnxExportFailed, result.Error);
        result.Error.Should().Contain(message).And.Contain("Nothing was published.");
        Directory.Exists(Store).Should().BeFalse("nothing may be written to the store");
    }

    private async Task<CliResult> ImportAsync(string file)
    {
        var root = new RootCommand { ImportOnnxCommand.Create() };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await root.Parse(["import-onnx", file, "--name", "hostile", "--store", Store]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return new CliResult(code, output.ToString(), error.ToString());
    }
}
