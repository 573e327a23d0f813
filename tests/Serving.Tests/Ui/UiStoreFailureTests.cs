using System.Net;
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

    public void Dispose() => _store.Dispose();
}
