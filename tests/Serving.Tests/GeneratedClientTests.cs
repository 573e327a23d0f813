using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using MLPipeline.Shared.Manifest;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// The README's two commands, for real: house-prices' OpenAPI document fetched with a predict key, a C# client
/// generated from it by NSwag (the repository's dotnet tool), built with Roslyn together with code that uses its typed
/// classes (a property per column, the categorical column as an enum, null for a missing value), and run against the
/// service: its predict and v2 infer calls give the service's own answer, and a call without a key is the documented 401.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class GeneratedClientTests(TrainedModelsFixture fixture) : IAsyncLifetime
{
    private const string PredictKey = "predict-key-0123456789";

    /// <summary>NSwag's arguments as README.md gives them (the test's own paths aside).</summary>
    private static readonly string[] GeneratorArguments = ["openapi2csclient", "/input:house-prices.openapi.json", "/output:HousePricesClient.cs", "/namespace:HousePrices", "/className:HousePricesClient"];

    private readonly ServingApp _app = new(fixture.Models, new Dictionary<string, string?>
    {
        // The linear version: its score moves with CHAS, so an enum sent by name instead of value would show.
        ["Serving:Models:0"] = $"{TrainedModels.HousePrices}:{fixture.Models.HousePricesOther.Version}",
        ["Serving:ApiKeys:0:Id"] = "client-test",
        ["Serving:ApiKeys:0:Key"] = PredictKey,
        ["Serving:ApiKeys:0:Role"] = "predict",
    });

    private readonly string _folder = Directory.CreateTempSubdirectory("mlpipeline-client-").FullName;

    private ModelManifest Model => fixture.Models.HousePricesOther;

    public async Task InitializeAsync() => await _app.ReadyClientAsync();

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_client_generated_from_the_model_document_predicts_through_the_service_with_an_API_key()
    {
        var keyed = _app.WithKey(PredictKey);
        await File.WriteAllTextAsync(Path.Combine(_folder, "house-prices.openapi.json"), await keyed.GetStringAsync("/models/house-prices/openapi.json"));

        var arguments = GeneratorArguments.Select(a => a.Replace(":house-prices", ":" + Path.Combine(_folder, "house-prices"), StringComparison.Ordinal)
            .Replace(":HousePricesClient.cs", ":" + Path.Combine(_folder, "HousePricesClient.cs"), StringComparison.Ordinal)).ToList();
        var generated = await DotnetTools.RunAsync("nswag", arguments, TimeSpan.FromMinutes(3));
        generated.ExitCode.Should().Be(0, generated.ToString());
        var client = CSharpClientCompiler.Compile("HousePricesClient", await File.ReadAllTextAsync(Path.Combine(_folder, "HousePricesClient.cs")), Caller(Model));

        var run = client.GetType("HousePrices.Caller")!.GetMethod("RunAsync")!;
        var answers = await (Task<float[]>)run.Invoke(null, [keyed, _app.CreateClient()])!;

        var expected = await PredictDirectlyAsync(keyed, "1");
        answers[0].Should().Be(expected, "predict through the client sends the row as the service reads it");
        answers[1].Should().Be(expected, "v2 infer through the client sends the same row as one tensor per column");
        answers[2].Should().Be((float)HttpStatusCode.Unauthorized, "a call without a key is refused with the documented problem details");

        // An enum sent by its C# name instead of its value would be an unseen category, and answer otherwise.
        (await PredictDirectlyAsync(keyed, "_1")).Should().NotBe(expected);
    }

    [Fact]
    public async Task README_gives_the_commands_this_test_runs()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "README.md"));

        readme.Should().Contain("/models/house-prices/openapi.json -o house-prices.openapi.json")
            .And.Contain("dotnet nswag " + string.Join(' ', GeneratorArguments));
    }

    /// <summary>The sample row with CHAS = "1" and LSTAT missing, posted as JSON: the score the service gives.</summary>
    private async Task<float> PredictDirectlyAsync(HttpClient client, string chas)
    {
        var row = TrainedModels.Instance(Model);
        row["CHAS"] = chas;
        row["LSTAT"] = null;
        var response = await client.PostAsync("/models/house-prices/predict", ServingApp.Instances(row));
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("predictions")[0].GetProperty("score").GetSingle();
    }

    /// <summary>
    /// Code that uses the generated classes the way a caller would: it builds only if the document typed every column
    /// (a float? per numeric column, the Category_CHAS enum, a tensor class per column with its datatype enum).
    /// </summary>
    private static string Caller(ModelManifest manifest)
    {
        string Value(InputColumn column) => column.Name switch
        {
            "CHAS" => "Category_CHAS._1",
            "LSTAT" => "null",
            _ => float.Parse(manifest.SampleInput[column.Name]!, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture) + "f",
        };

        var instance = string.Join(", ", manifest.Inputs.Select(c => $"{c.Name} = {Value(c)}"));
        var tensors = string.Join(",\n                ", manifest.Inputs.Select(c =>
            $"new Input_{c.Name} {{ Shape = [1], Datatype = Input_{c.Name}Datatype.{(c.Type == "String" ? "BYTES" : "FP32")}, Data = [{Value(c)}] }}"));
        return $$"""
            using System.Linq;
            using System.Net.Http;
            using System.Threading.Tasks;

            namespace HousePrices;

            public static class Caller
            {
                public static async Task<float[]> RunAsync(HttpClient keyed, HttpClient anonymous)
                {
                    var row = new Instance { {{instance}} };
                    var predicted = await new HousePricesClient(keyed).PredictAsync(new PredictRequest { Instances = [row] });
                    var inferred = await new HousePricesClient(keyed).InferAsync(new InferRequest { Inputs =
                    [
                        {{tensors}}
                    ] });
                    var refused = 0;
                    try
                    {
                        await new HousePricesClient(anonymous).PredictAsync(new PredictRequest { Instances = [row] });
                    }
                    catch (ApiException<ProblemDetails> ex)
                    {
                        refused = ex.StatusCode;
                    }

                    return
                    [
                        predicted.Predictions.Single().Score ?? float.NaN,
                        ((Output_score)inferred.Outputs.Single()).Data.Single() ?? float.NaN,
                        refused,
                    ];
                }
            }
            """;
    }
}
