using System.Net;
using MLPipeline.Shared.Manifest;

using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// POST /models/{name}/reload: 502 with the reason when the new version cannot be served (the old one keeps serving), a
/// change of inputs refused until it is declared with acceptSchemaChange=true.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class ReloadRouteTests(TrainedModelsFixture fixture) : IDisposable
{
    private const string Name = "local";
    private readonly VersionPackages _packages = new(fixture.Models);
    private readonly TempFolder _dir = new("mlpipeline-reload-route-");

    private TrainedModels Models => fixture.Models;

    private string ModelFile => _dir.Combine(ModelManifest.ModelFileName);

    public void Dispose()
    {
        _packages.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_failed_reload_is_502_and_a_schema_change_needs_accept_schema_change()
    {
        Place(_packages.Renamed(Models.HousePricesMain, "h1"));
        await using var app = new ServingApp(Models, new Dictionary<string, string?>
        {
            ["Serving:Sources:0:Name"] = Name,
            ["Serving:Sources:0:Path"] = ModelFile,
            ["Serving:Reload:Enabled"] = "false",
        });
        var client = await app.ReadyClientAsync();

        // Bytes that are not a model: 502, and h1 keeps serving.
        Place(_packages.WithModelBytes(Models.HousePricesMain, "broken", new byte[64]));
        var broken = await client.PostAsync($"/models/{Name}/reload", SecurityTestSupport.EmptyJson());
        broken.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        broken.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await ServingApp.JsonAsync(broken)).GetProperty("detail").GetString().Should().Contain("not a valid zip archive").And.Contain("version h1 keeps serving");

        // Another model's inputs: refused until declared.
        Place(_packages.Renamed(Models.IrisModel, "iris-1"));
        var refused = await client.PostAsync($"/models/{Name}/reload", SecurityTestSupport.EmptyJson());
        refused.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        (await ServingApp.JsonAsync(refused)).GetProperty("detail").GetString().Should().Contain("acceptSchemaChange=true");
        (await ServingApp.JsonAsync(await client.GetAsync($"/models/{Name}"))).GetProperty("model").GetProperty("version").GetString().Should().Be("h1");

        var accepted = await client.PostAsync($"/models/{Name}/reload?acceptSchemaChange=true", SecurityTestSupport.EmptyJson());
        accepted.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ServingApp.JsonAsync(accepted)).GetProperty("version").GetString().Should().Be("iris-1");
        var iris = await client.PostAsync($"/models/{Name}/predict", ServingApp.Instances(new { sepal_length = 5.1, sepal_width = 3.5, petal_length = 1.4, petal_width = 0.2 }));
        iris.StatusCode.Should().Be(HttpStatusCode.OK);
        iris.Headers.GetValues("X-Model-Version").Should().Equal("iris-1");
    }

    private void Place(string versionDirectory)
    {
        File.Copy(Path.Combine(versionDirectory, ModelManifest.FileName), _dir.Combine(ModelManifest.FileName), overwrite: true);
        File.Copy(Path.Combine(versionDirectory, ModelManifest.ModelFileName), ModelFile, overwrite: true);
    }
}
