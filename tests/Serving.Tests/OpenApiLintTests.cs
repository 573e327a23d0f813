using Microsoft.AspNetCore.Mvc.Testing;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// Redocly's CLI, recommended rules, finds no problem (error or warning) in the documents the running service gives:
/// its own, with API keys and a JWT authority configured and with neither, and the document of each model it serves
/// (regression with a categorical column, binary, multiclass), as the admin role sees them (the sample row as the
/// example, which Redocly checks against the schema). Every bundled spec's model document is linted where it is
/// trained (Training.Tests, BundledSpecTests).
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class OpenApiLintTests(TrainedModelsFixture fixture) : IDisposable
{
    private const string AdminKey = "admin-key-0123456789ab";

    // Where callers reach the service (Redocly warns about localhost, TestServer's default host).
    private static readonly WebApplicationFactoryClientOptions Address = new() { BaseAddress = new Uri("http://mlpipeline-serving:8080") };

    private readonly string _folder = Directory.CreateTempSubdirectory("mlpipeline-openapi-lint-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_service_document_and_every_served_model_document_pass_Redocly_recommended_rules()
    {
        var files = new List<string>();
        await using (var secured = new ServingApp(fixture.Models, new Dictionary<string, string?>
        {
            ["Serving:ApiKeys:0:Id"] = "ops",
            ["Serving:ApiKeys:0:Key"] = AdminKey,
            ["Serving:ApiKeys:0:Role"] = "admin",
            ["Serving:Jwt:Authority"] = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0",
            ["Serving:Jwt:Audience"] = "api://mlpipeline",
            ["Serving:Jwt:PredictRole"] = "Predict.All",
            ["Serving:Jwt:AdminRole"] = "Admin.All",
        }))
        {
            await secured.ReadyClientAsync();
            var client = secured.CreateClient(Address);
            client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
            files.Add(await SaveAsync(client, "/openapi/v1.json", "service.json"));
            foreach (var model in new[] { TrainedModels.HousePrices, TrainedModels.Cancer, TrainedModels.Iris })
            {
                files.Add(await SaveAsync(client, $"/models/{model}/openapi.json", $"{model}.json"));
            }
        }

        await using (var open = new ServingApp(fixture.Models, new Dictionary<string, string?> { ["Serving:Store"] = SecurityTestSupport.EmptyStore() }))
        {
            files.Add(await SaveAsync(open.CreateClient(Address), "/openapi/v1.json", "service-open.json"));
        }

        (await Redocly.LintAsync(files)).Should().BeEmpty();
    }

    private async Task<string> SaveAsync(HttpClient client, string route, string file)
    {
        var response = await client.GetAsync(route);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.Should().BeTrue($"GET {route} answered {(int)response.StatusCode}: {text}");
        var path = Path.Combine(_folder, file);
        await File.WriteAllTextAsync(path, text);
        return path;
    }
}
