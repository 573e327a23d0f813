using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLPipeline.Serving.Tests.Onnx;

/// <summary>
/// The four imported ONNX models served by ONNX Runtime: every sample row through both protocols in one batch and one
/// at a time, against the outputs the model's own framework computed (within 1e-5); the graph in the metadata routes;
/// refusals that name the input; NaN passed through.
/// </summary>
public sealed class OnnxPredictTests(OnnxServingFixture fixture) : IClassFixture<OnnxServingFixture>
{
    private const double Tolerance = 1e-5;
    private readonly HttpClient _client = fixture.Client;

    public static TheoryData<string> Models => [.. OnnxSamples.All];

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Instances_batch_answers_every_output_by_name_as_the_framework_did(string model)
    {
        var samples = OnnxSamples.Of(model);
        var body = new JsonObject { ["instances"] = new JsonArray([.. samples.Rows.Select(r => (JsonNode)new JsonObject { [samples.InputName] = JsonNode.Parse(r.GetRawText()) })]) };

        var answer = await PostAsync($"/models/{model}/predict", body);

        var predictions = answer.GetProperty("predictions").EnumerateArray().ToList();
        predictions.Should().HaveCount(samples.Rows.Length);
        for (var r = 0; r < predictions.Count; r++)
        {
            CheckRow(samples, predictions[r], r);
        }
    }

    [Fact]
    public async Task A_single_image_answers_its_label_and_scores_by_class_name()
    {
        var samples = OnnxSamples.Of(OnnxSamples.Digits);
        var body = new JsonObject { ["instances"] = new JsonArray(new JsonObject { ["image"] = JsonNode.Parse(samples.Rows[3].GetRawText()) }) };

        var prediction = (await PostAsync("/models/digits-cnn/predict", body)).GetProperty("predictions")[0];

        var expected = OnnxSamples.Flat(samples.Outputs["probabilities"][3]);
        prediction.GetProperty("label").GetString().Should().Be(expected.IndexOf(expected.Max()).ToString(System.Globalization.CultureInfo.InvariantCulture));
        prediction.GetProperty("scores").EnumerateObject().Select(p => p.Name).Should().Equal(samples.Labels);
        Close(prediction.GetProperty("scores").EnumerateObject().Select(p => p.Value.GetDouble()).ToList(), expected, "digits scores");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task V2_infer_with_a_multi_dimensional_batch_answers_every_output_tensor(string model)
    {
        var samples = OnnxSamples.Of(model);
        var shape = new List<long> { samples.Rows.Length };
        shape.AddRange(OnnxSamples.ShapeOf(samples.Rows[0]));
        var body = new JsonObject
        {
            ["id"] = "batch-1",
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = samples.InputName,
                ["shape"] = new JsonArray([.. shape.Select(d => (JsonNode)d)]),
                ["datatype"] = "FP32",
                ["data"] = new JsonArray([.. samples.Rows.SelectMany(OnnxSamples.Flat).Select(v => (JsonNode)v)]),
            }),
        };

        var answer = await PostAsync($"/v2/models/{model}/infer", body);

        answer.GetProperty("id").GetString().Should().Be("batch-1");
        var outputs = answer.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        foreach (var (name, rows) in samples.Outputs)
        {
            if (model == OnnxSamples.Iris && name == "probabilities")
            {
                // skl2onnx's ZipMap: one {class index: probability} object per row.
                var maps = outputs["output_probability"];
                maps.GetProperty("datatype").GetString().Should().Be("BYTES");
                var values = maps.GetProperty("data").EnumerateArray().SelectMany(m => m.EnumerateObject().OrderBy(p => p.Name).Select(p => p.Value.GetDouble())).ToList();
                Close(values, rows.SelectMany(OnnxSamples.Flat).ToList(), "output_probability");
                continue;
            }

            if (!outputs.TryGetValue(name, out var tensor))
            {
                // digits' samples also hold the true label, which is no graph output.
                continue;
            }

            tensor.GetProperty("shape")[0].GetInt64().Should().Be(samples.Rows.Length);
            Close(OnnxSamples.Flat(tensor.GetProperty("data")), rows.SelectMany(OnnxSamples.Flat).ToList(), name);
        }
    }

    [Fact]
    public async Task V2_outputs_selects_by_name_and_an_unknown_output_is_refused_naming_it()
    {
        var body = Infer("float_input", [1, 4], "FP32", [5.1, 3.5, 1.4, 0.2]);
        body["outputs"] = new JsonArray(new JsonObject { ["name"] = "label" });

        var answer = await PostAsync("/v2/models/iris-logreg-sklearn/infer", body);
        body["outputs"] = new JsonArray(new JsonObject { ["name"] = "probabilities" });
        var refused = await _client.PostAsJsonAsync("/v2/models/iris-logreg-sklearn/infer", body);

        answer.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()).Should().Equal("label");
        answer.GetProperty("outputs")[0].GetProperty("data")[0].GetInt64().Should().Be(0);
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("outputs[0].name: 'probabilities' is not an output of model 'iris-logreg-sklearn' (outputs: label, output_probability)");
    }

    [Fact]
    public async Task A_wrong_shape_type_or_missing_input_is_a_400_naming_the_input()
    {
        var wrongRank = await _client.PostAsJsonAsync("/v2/models/digits-cnn/infer", Infer("image", [1, 8, 8], "FP32", new double[64]));
        var wrongSize = await _client.PostAsJsonAsync("/v2/models/digits-cnn/infer", Infer("image", [1, 1, 8, 7], "FP32", new double[56]));
        var wrongCount = await _client.PostAsJsonAsync("/v2/models/digits-cnn/infer", Infer("image", [1, 1, 8, 8], "FP32", new double[63]));
        var wrongType = await _client.PostAsJsonAsync("/v2/models/linear-2x-minus-1/infer", Infer("x", [1, 1], "INT64", [3]));
        var missing = await _client.PostAsJsonAsync("/v2/models/linear-2x-minus-1/infer", new JsonObject { ["inputs"] = new JsonArray() });
        var instanceShape = await _client.PostAsJsonAsync("/models/digits-cnn/predict", new JsonObject { ["instances"] = new JsonArray(new JsonObject { ["image"] = JsonNode.Parse("[[0,1],[2,3]]") }) });
        var instanceType = await _client.PostAsJsonAsync("/models/linear-2x-minus-1/predict", new JsonObject { ["instances"] = new JsonArray(new JsonObject { ["x"] = JsonNode.Parse("[\"ten\"]") }) });
        var instanceMissing = await _client.PostAsJsonAsync("/models/linear-2x-minus-1/predict", new JsonObject { ["instances"] = new JsonArray(new JsonObject { ["z"] = 1 }) });
        var notText = await _client.PostAsync("/models/linear-2x-minus-1/predict", new StringContent("""{"instances": [{"x": ["\ud800"]}]}""", System.Text.Encoding.UTF8, "application/json"));

        await Refused(wrongRank, "inputs[0].shape: input 'image' has shape [1, 8, 8] but the graph takes [-1, 1, 8, 8] (rank 4, -1 = any size).");
        await Refused(wrongSize, "inputs[0].shape: input 'image' has shape [1, 1, 8, 7] but the graph takes [-1, 1, 8, 8]: dimension 3 must be 8.");
        await Refused(wrongCount, "inputs[0].data: shape [1, 1, 8, 8] holds 64 values but data has 63.");
        await Refused(wrongType, "inputs[0].datatype: input 'x' takes FP32, not 'INT64'.");
        await Refused(missing, "inputs: input 'x' is missing (inputs: x).");
        await Refused(instanceShape, "instances[0].image: input 'image' has shape [1, 2, 2] but the graph takes [-1, 1, 8, 8] (rank 4, -1 = any size).");
        await Refused(instanceType, """instances[0].x[0]: must be a number (null or \"NaN\" for NaN).""");
        await Refused(instanceMissing, "instances[0].x: is missing; model 'linear-2x-minus-1' takes x in every instance.");
        await Refused(notText, "holds an escape that is not text (a lone UTF-16 surrogate");
    }

    [Theory]
    [InlineData("/v2/models/linear-2x-minus-1/infer", """{"inputs": [{"name": "x", "shape": [1, 1], "datatype": "FP32", "data": [1], "data": [2]}]}""", "Duplicate property 'data'")]
    [InlineData("/v2/models/linear-2x-minus-1/infer", """{"inputs": [{"name": "x", "shape": [1, 1], "datatype": "FP32", "data": [1]}], "inputs": []}""", "Duplicate property 'inputs'")]
    [InlineData("/models/linear-2x-minus-1/predict", """{"instances": [{"x": [1], "x": [2]}]}""", "Duplicate property 'x'")]
    [InlineData("/models/linear-2x-minus-1/predict", """{"instances": [{"x": [1], "\ud800": 1, "\ud800": 2}]}""", "not text")]
    public async Task A_name_given_twice_in_one_object_is_a_400_naming_it(string path, string body, string mentions)
    {
        // JSON leaves a repeated name to the reader: the service refuses it rather than pick one of the values.
        var response = await _client.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await Refused(response, mentions);
    }

    [Fact]
    public async Task NaN_where_the_graph_takes_float_is_passed_through_as_null()
    {
        var v2 = await PostAsync("/v2/models/linear-2x-minus-1/infer", new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject { ["name"] = "x", ["shape"] = new JsonArray(3, 1), ["datatype"] = "FP32", ["data"] = JsonNode.Parse("[\"NaN\", null, 10]") }),
        });
        var instances = await PostAsync("/models/linear-2x-minus-1/predict", new JsonObject { ["instances"] = JsonNode.Parse("[{\"x\": [\"NaN\"]}, {\"x\": [0.5]}]") });

        var data = v2.GetProperty("outputs")[0].GetProperty("data");
        data[0].ValueKind.Should().Be(JsonValueKind.Null);
        data[1].ValueKind.Should().Be(JsonValueKind.Null);
        data[2].GetDouble().Should().BeApproximately(19, 1e-4);
        instances.GetProperty("predictions")[0].GetProperty("y")[0].ValueKind.Should().Be(JsonValueKind.Null);
        instances.GetProperty("predictions")[1].GetProperty("y")[0].GetDouble().Should().BeApproximately(0, 1e-4);
    }

    [Fact]
    public async Task Metadata_routes_show_the_graph_with_shapes_and_platform_onnxruntime_onnx()
    {
        var v2 = await ServingApp.JsonAsync(await _client.GetAsync("/v2/models/digits-cnn"));
        var details = await ServingApp.JsonAsync(await _client.GetAsync("/models/iris-logreg-sklearn"));

        v2.GetProperty("platform").GetString().Should().Be("onnxruntime_onnx");
        v2.GetProperty("inputs")[0].GetRawText().Should().Be("""{"name":"image","datatype":"FP32","shape":[-1,1,8,8]}""");
        v2.GetProperty("outputs")[0].GetRawText().Should().Be("""{"name":"probabilities","datatype":"FP32","shape":[-1,10]}""");
        details.GetProperty("platform").GetString().Should().Be("onnxruntime_onnx");
        details.GetProperty("format").GetString().Should().Be("onnx");
        details.GetProperty("engines").GetProperty("batch").GetString().Should().Be("ONNX Runtime");
        var graph = details.GetProperty("graph");
        graph.GetProperty("inputs")[0].GetProperty("shape").GetRawText().Should().Be("[-1,4]");
        graph.GetProperty("outputs")[1].GetProperty("kind").GetString().Should().Be("map-sequence");
        graph.GetProperty("opsets").GetProperty("ai.onnx.ml").GetInt64().Should().Be(1);
        details.GetProperty("label").GetProperty("classes").EnumerateArray().Select(c => c.GetString()).Should().Equal("setosa", "versicolor", "virginica");
    }

    [Fact]
    public async Task A_bare_onnx_file_as_a_direct_source_is_described_from_its_graph_and_served()
    {
        var answer = await PostAsync($"/models/{OnnxServingFixture.DirectSource}/predict", new JsonObject { ["instances"] = JsonNode.Parse("[{\"x\": [10]}]") });
        var v2 = await ServingApp.JsonAsync(await _client.GetAsync($"/v2/models/{OnnxServingFixture.DirectSource}"));

        answer.GetProperty("version").GetString().Should().StartWith("sha256-");
        answer.GetProperty("predictions")[0].GetProperty("y")[0].GetDouble().Should().BeApproximately(18.999998092651367, Tolerance);
        v2.GetProperty("inputs")[0].GetProperty("shape").GetRawText().Should().Be("[-1,1]");
    }

    private static void CheckRow(OnnxSamples samples, JsonElement prediction, int row)
    {
        switch (samples.Name)
        {
            case OnnxSamples.Iris:
                var labels = samples.Labels!;
                prediction.GetProperty("label").GetString().Should().Be(labels[samples.Outputs["label"][row].GetInt32()]);
                var expected = OnnxSamples.Flat(samples.Outputs["probabilities"][row]);
                Close([.. labels.Select(l => prediction.GetProperty("scores").GetProperty(l).GetDouble())], expected, $"row {row} scores");
                Close([.. Enumerable.Range(0, labels.Length).Select(k => prediction.GetProperty("output_probability").GetProperty($"{k}").GetDouble())], expected, $"row {row} output_probability");
                break;
            case OnnxSamples.Digits:
                var probabilities = OnnxSamples.Flat(samples.Outputs["probabilities"][row]);
                Close(OnnxSamples.Flat(prediction.GetProperty("probabilities")), probabilities, $"row {row} probabilities");
                Close([.. samples.Labels!.Select(l => prediction.GetProperty("scores").GetProperty(l).GetDouble())], probabilities, $"row {row} scores");
                prediction.GetProperty("label").GetString().Should().Be(samples.Labels![probabilities.IndexOf(probabilities.Max())]);
                break;
            default:
                foreach (var (name, rows) in samples.Outputs)
                {
                    Close(OnnxSamples.Flat(prediction.GetProperty(name)), OnnxSamples.Flat(rows[row]), $"row {row} {name}");
                }

                break;
        }
    }

    private static void Close(List<double> actual, List<double> expected, string what)
    {
        actual.Should().HaveCount(expected.Count, what);
        for (var i = 0; i < expected.Count; i++)
        {
            actual[i].Should().BeApproximately(expected[i], Tolerance, $"{what}[{i}]");
        }
    }

    private static JsonObject Infer(string name, long[] shape, string datatype, double[] data) => new()
    {
        ["inputs"] = new JsonArray(new JsonObject
        {
            ["name"] = name,
            ["shape"] = new JsonArray([.. shape.Select(d => (JsonNode)d)]),
            ["datatype"] = datatype,
            ["data"] = new JsonArray([.. data.Select(v => (JsonNode)v)]),
        }),
    };

    private async Task<JsonElement> PostAsync(string route, JsonObject body)
    {
        var response = await _client.PostAsJsonAsync(route, body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task Refused(HttpResponseMessage response, string message)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, text);
        text.Should().Contain(message);
    }
}
