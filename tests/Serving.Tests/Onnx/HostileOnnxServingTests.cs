using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MLPipeline.TestSupport;
using static MLPipeline.TestSupport.CraftedOnnx;

namespace MLPipeline.Serving.Tests.Onnx;

/// <summary>
/// Crafted .onnx files served as direct sources (no import checked them), and requests crafted to hurt the ones that
/// load: a file that would read another file into a tensor, or that has nothing to feed, or a shape no sample of zeros
/// fits, never loads and says why; tensors that do not fit together, shapes whose size overflows, and huge strings are
/// refused with a 400 or 413 naming the tensor, never with ONNX Runtime's own text.
/// </summary>
public sealed class HostileOnnxServingTests(HostileOnnxServingTests.Fixture fixture) : IClassFixture<HostileOnnxServingTests.Fixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public void A_file_with_external_data_is_not_loaded_and_its_error_names_the_initializer()
    {
        var slot = fixture.App.Pool.Find("leak")!;

        slot.Current.Should().BeNull("ONNX Runtime would read the file from the service's working directory into a tensor a prediction answers");
        slot.LastError.Should().Contain($"model.onnx: initializer 'W' keeps its data in another file ('{Fixture.LeakedFile}')");
    }

    [Fact]
    public void A_file_without_inputs_or_with_a_shape_too_large_for_a_warm_up_is_not_loaded_and_says_why()
    {
        fixture.App.Pool.Find("no-input")!.LastError.Should().Contain("the graph has no inputs");
        fixture.App.Pool.Find("huge")!.LastError.Should().Contain("input 'x' of shape [1073741824, 1] holds more than 4,194,304 values");
    }

    [Fact]
    public async Task Inputs_whose_shared_batch_dimension_disagrees_are_a_400_naming_both_shapes_on_both_protocols()
    {
        var v2 = await _client.PostAsync("/v2/models/pair/infer", Json(Infer(("a", [2, 1], "[1, 2]"), ("b", [3, 1], "[1, 2, 3]"))));
        var instances = await _client.PostAsync("/models/rows/predict", Json("""{"instances": [{"a": [1, 2], "b": [1, 2, 3]}]}"""));

        await Refused(v2, "inputs[1].shape: input 'b' has shape [3, 1] but input 'a' has shape [2, 1]: the graph names dimension 0 of 'b' and dimension 0 of 'a' both 'N', so they must be the same size (3 vs 2).");
        await Refused(instances, "instances[0].b: input 'b' has shape [1, 3] but input 'a' has shape [1, 2]: the graph names dimension 1 of 'b' and dimension 1 of 'a' both 'L'");
    }

    [Fact]
    public async Task An_operator_that_refuses_the_shapes_is_a_400_naming_them_without_ONNX_Runtime_text()
    {
        // The batch dimensions have different names: only Add finds out that 2 rows and 3 rows do not broadcast.
        var response = await _client.PostAsync("/v2/models/apart/infer", Json(Infer(("a", [2, 1], "[1, 2]"), ("b", [3, 1], "[1, 2, 3]"))));

        var text = await Refused(response, "inputs: the model cannot run on inputs of these shapes ('a' [2, 1], 'b' [3, 1]): an operator of its graph refused them.");
        text.Should().NotContainAny("onnxruntime", "Add_y", ".cc:", ".h:", "Status Message", "broadcast");
    }

    [Fact]
    public async Task A_second_input_with_more_rows_than_the_batch_limit_is_refused()
    {
        var data = "[" + string.Join(",", Enumerable.Repeat("1", 1001)) + "]";

        var response = await _client.PostAsync("/v2/models/apart/infer", Json(Infer(("a", [1, 1], "[1]"), ("b", [1001, 1], data))));

        await Refused(response, "inputs: hold 1001 rows, more than 1000 (Serving:Limits:MaxBatchSize).");
    }

    [Theory]
    [InlineData("[1, 4611686018427387904, 4]", "shape [1, 4611686018427387904, 4] holds more values than data has (0).")]
    [InlineData("[4294967296, 4294967296, 1]", "shape [4294967296, 4294967296, 1] holds more values than data has (0).")]
    [InlineData("[1, 9223372036854775807, 2]", "shape [1, 9223372036854775807, 2] holds more values than data has (0).")]
    public async Task A_shape_whose_size_overflows_is_a_400_not_an_empty_tensor(string shape, string message)
    {
        var response = await _client.PostAsync("/v2/models/cube/infer", Json($$"""{"inputs": [{"name": "x", "shape": {{shape}}, "datatype": "FP32", "data": []}]}"""));

        await Refused(response, "inputs[0].data: " + message);
    }

    [Fact]
    public async Task An_empty_tensor_of_a_zero_dimension_is_answered_as_one()
    {
        var response = await _client.PostAsync("/v2/models/cube/infer", Json("""{"inputs": [{"name": "x", "shape": [1, 0, 4611686018427387904], "datatype": "FP32", "data": []}]}"""));

        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        text.Should().Contain("\"shape\":[1,0,4611686018427387904],\"data\":[]");
    }

    [Fact]
    public async Task Half_a_million_values_or_a_string_near_the_body_limit_are_answered_and_one_over_it_is_413()
    {
        var many = "[" + string.Join(",", Enumerable.Repeat("0", 500_000)) + "]";
        var values = await _client.PostAsync("/v2/models/cube/infer", Json(Infer(("x", [1, 500_000, 1], many))));
        var longText = new string('a', 1_000_000);
        var text = await _client.PostAsync("/v2/models/text/infer", Json(Infer(("x", [1, 1], $"[\"{longText}\"]"))));
        var tooLong = await _client.PostAsync("/v2/models/text/infer", Json(Infer(("x", [1, 1], $"[\"{longText}{longText}\"]"))));

        values.StatusCode.Should().Be(HttpStatusCode.OK, await values.Content.ReadAsStringAsync());
        text.StatusCode.Should().Be(HttpStatusCode.OK);
        (await text.Content.ReadAsStringAsync()).Should().Contain(longText);
        tooLong.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static string Infer(params (string Name, long[] Shape, string Data)[] tensors) => new JsonObject
    {
        ["inputs"] = new JsonArray([.. tensors.Select(t => (JsonNode)new JsonObject
        {
            ["name"] = t.Name,
            ["shape"] = new JsonArray([.. t.Shape.Select(d => (JsonNode)d)]),
            ["datatype"] = t.Name == "x" && t.Data.StartsWith("[\"", StringComparison.Ordinal) ? "BYTES" : "FP32",
            ["data"] = JsonNode.Parse(t.Data),
        })]),
    }.ToJsonString();

    private static async Task<string> Refused(HttpResponseMessage response, string message)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, text);
        text.Should().Contain(message);
        return text;
    }

    /// <summary>The crafted files as direct sources of one service; ready once each has loaded or failed.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        /// <summary>A file in the test run's working directory, which ONNX Runtime would read for a model loaded from bytes.</summary>
        public static readonly string LeakedFile = Path.GetFileName(typeof(Fixture).Assembly.Location);

        private readonly TempFolder _folder = new("mlpipeline-hostile-onnx-");

        public OnnxServingApp App { get; private set; } = null!;

        public HttpClient Client { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var models = new Dictionary<string, byte[]>
            {
                ["pair"] = Model(Graph("pair", [Node("Add", ["a", "b"], ["y"])], [Tensor("a", FloatType, "N", 1L), Tensor("b", FloatType, "N", 1L)], [Tensor("y", FloatType, "N", 1L)])),
                ["rows"] = Model(Graph("rows", [Node("Add", ["a", "b"], ["y"])], [Tensor("a", FloatType, "N", "L"), Tensor("b", FloatType, "N", "L")], [Tensor("y", FloatType, "N", "L")])),
                ["apart"] = Model(Graph("apart", [Node("Add", ["a", "b"], ["y"])], [Tensor("a", FloatType, "A", 1L), Tensor("b", FloatType, "B", 1L)], [Tensor("y", FloatType, "A", 1L)])),
                ["cube"] = Model(Graph("cube", [Node("Identity", ["x"], ["y"])], [Tensor("x", FloatType, "N", "M", "K")], [Tensor("y", FloatType, "N", "M", "K")])),
                ["text"] = Model(Graph("text", [Node("Identity", ["x"], ["y"])], [Tensor("x", StringType, "N", 1L)], [Tensor("y", StringType, "N", 1L)])),
                ["leak"] = Model(Graph(
                    "leak",
                    [Node("Identity", ["x"], ["y"]), Node("Cast", ["W"], ["leak"], [IntAttribute("to", FloatType)])],
                    [Tensor("x", FloatType, "N", 1L)],
                    [Tensor("y", FloatType, "N", 1L), Tensor("leak", FloatType, 4L)],
                    [External("W", LeakedFile, 4)])),
                ["no-input"] = Model(Graph("no-input", [Node("Constant", [], ["y"], [TensorAttribute("value", Floats("v", [1f], 1))])], [], [Tensor("y", FloatType, 1L)])),
                ["huge"] = Model(Graph("huge", [Node("Identity", ["x"], ["y"])], [Tensor("x", FloatType, 1L << 30, 1L)], [Tensor("y", FloatType, 1L << 30, 1L)])),
            };
            var settings = new Dictionary<string, string?>();
            var i = 0;
            foreach (var (name, bytes) in models)
            {
                var path = _folder.Combine(name + ".onnx");
                await File.WriteAllBytesAsync(path, bytes);
                settings[$"Serving:Sources:{i}:Name"] = name;
                settings[$"Serving:Sources:{i++}:Path"] = path;
            }

            Directory.CreateDirectory(_folder.Combine("store"));
            App = new OnnxServingApp(_folder.Combine("store"), settings);
            Client = App.CreateClient();
            await Eventually.TrueAsync(
                () => models.Keys.All(m => App.Pool.Find(m) is { } slot && (slot.Current is not null || slot.LastError is not null)),
                TimeSpan.FromSeconds(60),
                "every crafted model loaded or failed");
        }

        public async Task DisposeAsync()
        {
            Client.Dispose();
            await App.DisposeAsync();
            _folder.Dispose();
        }
    }
}
