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
