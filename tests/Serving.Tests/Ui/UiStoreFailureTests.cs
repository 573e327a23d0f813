using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MLPipeline.Serving.Ui;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests.Ui;

/// <summary>With security off the pages are open; a store file that cannot be read gives a page that names it, never a 500.</summary>
[Collection(ServingTestGroup.Name)]
public sealed class UiStoreFailureTests(TrainedModelsFixture fixture) : IDisposable
{
    private readonly TempFolder _store = new("mlpipeline-ui-store-");

    [Fact]
    public async Task Without_security_the_pages_are_open_and_a_broken_alias_file_is_named_with_503()
    {
        var package = TestModelPackage.Create("house", "v1");
        await new FileModelStore(_store.Path).PublishAsync(package);
        Directory.Delete(package, recursive: true);
        Directory.CreateDirectory(_store.Combine("house", "aliases"));
        await File.WriteAllTextAsync(_store.Combine("house", "aliases", "production.json"), "{ not json");

        await using var app = new ServingApp(fixture.Models, new Dictionary<string, string?> { ["Serving:Store"] = _store.Path });
        var client = app.CreateClient();

        var models = await client.GetAsync("/ui");
        models.StatusCode.Should().Be(HttpStatusCode.OK, "no key is configured, so the pages are open");
        (await models.Content.ReadAsStringAsync()).Should().Contain("production.json is not a valid alias file");

        var model = await client.GetAsync("/ui/models/house");
        model.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        model.Headers.GetValues("Content-Security-Policy").Should().ContainSingle();
        (await model.Content.ReadAsStringAsync()).Should().Contain("The model store cannot be read").And.Contain("production.json is not a valid alias file");
    }

    [Fact]
    public async Task Names_the_store_does_not_hold_are_404_and_leave_nothing_behind()
    {
        var package = TestModelPackage.Create("house", "v1");
        await new FileModelStore(_store.Path).PublishAsync(package);
        Directory.Delete(package, recursive: true);

        await using var app = new ServingApp(fixture.Models, new Dictionary<string, string?> { ["Serving:Store"] = _store.Path });
        var client = app.CreateClient();
        (await client.GetAsync("/ui/models/house")).StatusCode.Should().Be(HttpStatusCode.OK);

        foreach (var name in Enumerable.Range(0, 50).Select(i => $"nothing-{i}"))
        {
            foreach (var page in new[] { $"/ui/models/{name}", $"/ui/models/{name}/versions/v1", $"/ui/models/{name}/versions/v1/files/report.md", $"/ui/models/{name}/compare?a=v1&b=v1" })
            {
                (await client.GetAsync(page)).StatusCode.Should().Be(HttpStatusCode.NotFound, page);
            }
        }

        app.Services.GetRequiredService<StoreCatalog>().KeptHistories.Should().Be(1, "only the model the store holds is kept; every other name would stay for the life of the process");
        (await client.GetAsync("/ui/models/house")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    public void Dispose() => _store.Dispose();
}
