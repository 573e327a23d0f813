using System.Net;
using System.Text.Json;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// <c>GET /models/{name}/openapi.json</c> types a model's rows from its manifest (numbers and strings, null allowed, the
/// training categories as an enum, every column required) and its answers by task; the example (a training row) is
/// for the admin role only; the document follows the version served now. The service document puts each route's role
/// on it and describes every operation.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class ModelDocumentTests(TrainedModelsFixture fixture, ModelDocumentTests.App shared) : IClassFixture<ModelDocumentTests.App>
{
    private const string PredictKey = "predict-key-0123456789";
    private const string AdminKey = "admin-key-0123456789ab";

    private readonly ServingApp _app = shared.App;

    private TrainedModels Models => fixture.Models;

    /// <summary>The app the tests that only read share: every bundled model, a predict key and an admin key.</summary>
    public sealed class App() : SharedServingApp(Keys(new Dictionary<string, string?>()));

    [Fact]
    public async Task Each_column_is_typed_from_the_manifest_and_the_example_is_for_the_admin_role_only()
    {
        var document = await DocumentAsync(_app.WithKey(PredictKey), TrainedModels.HousePrices);
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var instance = schemas.GetProperty("Instance");

        document.GetProperty("info").GetProperty("version").GetString().Should().Be(Models.HousePricesMain.Version);
        document.GetProperty("servers")[0].GetProperty("url").GetString().Should().Be("http://localhost");
        Names(instance.GetProperty("required")).Should().Equal(Models.HousePricesMain.Inputs.Select(c => c.Name));
        Names(instance.GetProperty("properties").GetProperty("LSTAT").GetProperty("type")).Should().BeEquivalentTo("number", "null");
        instance.GetProperty("properties").GetProperty("LSTAT").GetProperty("format").GetString().Should().Be("float");
        instance.GetProperty("properties").GetProperty("CHAS").GetProperty("$ref").GetString().Should().Be("#/components/schemas/Category_CHAS");
        Names(schemas.GetProperty("Category_CHAS").GetProperty("type")).Should().BeEquivalentTo("string", "null");
        schemas.GetProperty("Category_CHAS").GetProperty("enum").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? null : v.GetString())
            .Should().Equal("0", "1", null);
        schemas.GetProperty("Input_CHAS").GetProperty("allOf")[1].GetProperty("properties").GetProperty("data").GetProperty("items").GetProperty("$ref").GetString()
            .Should().Be("#/components/schemas/Category_CHAS", "the v2 tensor of a column takes the same values");
        Names(schemas.GetProperty("Prediction").GetProperty("required")).Should().Equal("id", "score");

        var predict = document.GetProperty("paths").GetProperty("/models/house-prices/predict").GetProperty("post");
        predict.GetProperty("security")[0].GetProperty("ApiKey")[0].GetString().Should().Be("predict");
        predict.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").TryGetProperty("example", out _)
            .Should().BeFalse("the sample row is a training row, for the admin role only");

        var asAdmin = await DocumentAsync(_app.WithKey(AdminKey), TrainedModels.HousePrices);
        var example = asAdmin.GetProperty("paths").GetProperty("/models/house-prices/predict").GetProperty("post")
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("instances")[0];
        example.GetProperty("CRIM").GetDouble().Should().BeApproximately(double.Parse(Models.HousePricesMain.SampleInput["CRIM"]!, System.Globalization.CultureInfo.InvariantCulture), 1e-6);
        example.GetProperty("CHAS").GetString().Should().Be(Models.HousePricesMain.SampleInput["CHAS"]);
    }

    [Fact]
    public async Task The_answer_is_typed_by_task_with_the_class_names()
    {
        var client = _app.WithKey(PredictKey);

        var binary = (await DocumentAsync(client, TrainedModels.Cancer)).GetProperty("components").GetProperty("schemas");
        var multiclass = (await DocumentAsync(client, TrainedModels.Iris)).GetProperty("components").GetProperty("schemas");

        Names(binary.GetProperty("Prediction").GetProperty("required")).Should().Equal("id", "label", "probability", "score");
        Names(binary.GetProperty("Prediction").GetProperty("properties").GetProperty("label").GetProperty("enum")).Should().Equal(Models.CancerModel.Label.Classes);
        Names(multiclass.GetProperty("Prediction").GetProperty("required")).Should().Equal("id", "label", "scores");
        Names(multiclass.GetProperty("ClassScores").GetProperty("required")).Should().Equal(Models.IrisModel.Label.Classes);
        multiclass.GetProperty("OutputTensor").GetProperty("discriminator").GetProperty("mapping").EnumerateObject().Select(p => p.Name).Should().Equal("label", "scores");
    }

    [Fact]
    public async Task The_document_follows_the_version_served_now_and_its_inputs()
    {
        // A file source whose manifest predates categories: CHAS is a string without an enum.
        var folder = Directory.CreateTempSubdirectory("mlpipeline-document-").FullName;
        try
        {
            var model = Path.Combine(folder, ModelManifest.ModelFileName);
            Publish(Models.HousePricesMain with { Inputs = [.. Models.HousePricesMain.Inputs.Select(c => c with { Categories = null })] }, folder);
            await using var app = new ServingApp(Models, Keys(new Dictionary<string, string?>
            {
                ["Serving:Sources:0:Name"] = "local",
                ["Serving:Sources:0:Path"] = model,
                ["Serving:Reload:Enabled"] = "false",
            }));
            await app.ReadyClientAsync();
            var admin = app.WithKey(AdminKey);
            var before = await DocumentAsync(admin, "local");
            var chas = before.GetProperty("components").GetProperty("schemas").GetProperty("Instance").GetProperty("properties").GetProperty("CHAS");
            chas.TryGetProperty("enum", out _).Should().BeFalse();
            Names(chas.GetProperty("type")).Should().BeEquivalentTo("string", "null");

            // Another model with other inputs and another task, declared as a change of inputs.
            Publish(Models.IrisModel, folder);
            (await admin.PostAsync("/models/local/reload?acceptSchemaChange=true", SecurityTestSupport.EmptyJson())).StatusCode.Should().Be(HttpStatusCode.OK);

            var after = await DocumentAsync(admin, "local");
            after.GetProperty("info").GetProperty("version").GetString().Should().Be(Models.IrisModel.Version);
            Names(after.GetProperty("components").GetProperty("schemas").GetProperty("Instance").GetProperty("required")).Should().Equal(Models.IrisModel.Inputs.Select(c => c.Name));
            after.GetProperty("components").GetProperty("schemas").TryGetProperty("ClassScores", out _).Should().BeTrue();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_route_needs_the_predict_role_and_a_served_model()
    {
        (await _app.CreateClient().GetAsync("/models/house-prices/openapi.json")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        var missing = await _app.WithKey(PredictKey).GetAsync("/models/nope/openapi.json");

        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
        missing.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task Every_operation_of_the_service_document_has_a_summary_a_description_and_its_routes_role()
    {
        var document = JsonDocument.Parse(await _app.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement;
        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (Route: $"{op.Name.ToUpperInvariant()} {path.Name}", Operation: op.Value)))
            .ToDictionary(o => o.Route, o => o.Operation);

        operations.Should().ContainKey("GET /models/{name}/openapi.json");
        operations.Where(o => string.IsNullOrWhiteSpace(o.Value.TryGetProperty("summary", out var s) ? s.GetString() : null)
            || string.IsNullOrWhiteSpace(o.Value.TryGetProperty("description", out var d) ? d.GetString() : null)).Select(o => o.Key).Should().BeEmpty();
        Role(operations["POST /models/{name}/predict"]).Should().Be("predict");
        Role(operations["POST /v2/models/{name}/infer"]).Should().Be("predict");
        Role(operations["POST /models/{name}/reload"]).Should().Be("admin");
        Role(operations["POST /models/{name}/versions/{version}/predict"]).Should().Be("admin");
        operations["POST /models/{name}/reload"].GetProperty("responses").GetProperty("403").GetProperty("content").TryGetProperty("application/problem+json", out _).Should().BeTrue();
        document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey").GetProperty("name").GetString().Should().Be("X-Api-Key");
    }

    private static string Role(JsonElement operation) => operation.GetProperty("security")[0].GetProperty("ApiKey")[0].GetString()!;

    private static Dictionary<string, string?> Keys(Dictionary<string, string?> settings)
    {
        settings["Serving:ApiKeys:0:Id"] = "ci-predict";
        settings["Serving:ApiKeys:0:Key"] = PredictKey;
        settings["Serving:ApiKeys:0:Role"] = "predict";
        settings["Serving:ApiKeys:1:Id"] = "ops";
        settings["Serving:ApiKeys:1:Key"] = AdminKey;
        settings["Serving:ApiKeys:1:Role"] = "admin";
        return settings;
    }

    private void Publish(ModelManifest manifest, string folder)
    {
        File.Copy(Models.ModelPath(manifest), Path.Combine(folder, ModelManifest.ModelFileName), overwrite: true);
        File.WriteAllBytes(Path.Combine(folder, ModelManifest.FileName), ManifestJson.Serialize(manifest));
    }

    private static async Task<JsonElement> DocumentAsync(HttpClient client, string model)
    {
        var response = await client.GetAsync($"/models/{model}/openapi.json");
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static IEnumerable<string?> Names(JsonElement array) => array.EnumerateArray().Select(v => v.GetString());
}
