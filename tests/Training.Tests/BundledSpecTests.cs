using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;

namespace MLPipeline.Training.Tests;

/// <summary>Every spec in pipelines/ trains, passes its gates and publishes, through the real console, and its model's OpenAPI document lints clean.</summary>
public class BundledSpecTests
{
    public static TheoryData<string> Specs()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepositoryRoot.Pipelines, "*.json").Where(f => !f.EndsWith("schema.json", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public async Task Bundled_spec_trains_passes_its_gates_and_publishes(string name)
    {
        using var store = new TempFolder();

        var result = await CliRunner.RunAsync("train", Path.Combine("pipelines", name + ".json"), "--store", store.Path, "--alias", "staging");

        result.ExitCode.Should().Be(0, result.Output);
        result.StdOut.Should().Contain("passed").And.Contain($"Published {name}:");
        var fileStore = new FileModelStore(store.Path);
        var version = (await fileStore.ListVersionsAsync(name)).Should().ContainSingle().Subject;
        (await fileStore.FindAliasAsync(name, "staging"))!.Version.Should().Be(version.Version);
        (await fileStore.ReadArtifactAsync(version, "model.zip")).Should().NotBeEmpty();

        // The model's OpenAPI document, as the service builds it from this manifest, passes Redocly's recommended rules.
        var document = Path.Combine(store.Path, name + ".openapi.json");
        await File.WriteAllTextAsync(document, await ModelDocument.WriteAsync(name, version));
        (await Redocly.LintAsync([document])).Should().BeEmpty();
    }
}
