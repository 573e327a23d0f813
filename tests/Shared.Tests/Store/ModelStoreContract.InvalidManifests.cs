using System.Text.Json.Nodes;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;

namespace MLPipeline.Shared.Tests.Store;

/// <summary>
/// The store contract for manifests that cannot be trusted: refused on publish before anything is written, and on
/// read with an <see cref="InvalidManifestException"/> naming the file and the field (no other exception type).
/// </summary>
public abstract partial class ModelStoreContract
{
    private const string StoredV1 = "house/versions/v1/manifest.json";

    [Theory]
    [InlineData("../../x")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("C:x")]
    [InlineData("manifest.json")]
    public async Task Publishing_a_folder_whose_manifest_names_an_unsafe_artifact_writes_nothing(string artifactName)
    {
        var (outer, package) = CraftedPackage.WithArtifact(artifactName);
        _packages.Add(outer);
        var before = CraftedPackage.FilesUnder(outer);

        var refused = await FluentActions.Awaiting(() => Store.PublishAsync(package)).Should().ThrowExactlyAsync<InvalidManifestException>();

        refused.Which.Message.Should().Contain(Path.Combine(package, ModelManifest.FileName)).And.Contain($"artifacts[\"{artifactName}\"]: ");
        refused.Which.Problem.Field.Should().Be($"artifacts[\"{artifactName}\"]");
        (await ListRawAsync()).Should().BeEmpty("a refused publish writes nothing, inside the store or beside it");
        CraftedPackage.FilesUnder(outer).Should().Equal(before);
        (await Store.ListModelsAsync()).Should().BeEmpty();
    }

    [Theory]
    [InlineData("empty object", "$: not a valid manifest*missing required properties*")]
    [InlineData("null", "$: the manifest is null")]
    [InlineData("empty file", "$: not a valid manifest*")]
    [InlineData("truncated", "*not a valid manifest*")]
    [InlineData("not JSON", "$: not a valid manifest*")]
    [InlineData("null name", "name: is missing or null")]
    [InlineData("null inputs", "inputs: is missing or null")]
    [InlineData("null input", "inputs[0]: is missing or null")]
    [InlineData("null label", "label: is missing or null")]
    [InlineData("null artifact", "artifacts[\"model.zip\"]: is missing or null")]
    [InlineData("no model.zip", "artifacts: does not list model.zip*")]
    [InlineData("short sha256", "artifacts[\"model.zip\"].sha256: \"abc\" is not a SHA-256*")]
    [InlineData("negative size", "artifacts[\"model.zip\"].size: -1 is negative")]
    [InlineData("unknown task", "task: 7 is not a task*")]
    [InlineData("another model", "name: \"iris\" does not match the model name 'house'*")]
    [InlineData("another version", "version: \"v9\" does not match the version 'v1'*")]
    [InlineData("../../x", "artifacts[\"../../x\"]: an artifact name must be a plain file name*")]
    [InlineData("a/b", "artifacts[\"a/b\"]: an artifact name must be a plain file name*")]
    [InlineData("..", "artifacts[\"..\"]: an artifact name must be a plain file name*")]
    [InlineData("C:x", "artifacts[\"C:x\"]: an artifact name must be a plain file name*")]
    public async Task A_stored_invalid_manifest_is_refused_naming_the_file_and_field_and_hides_no_other_version(string craft, string problem)
    {
        var t0 = DateTimeOffset.UtcNow.AddHours(-1);
        await PublishAsync("house", "v0", t0);
        var valid = ManifestJson.Serialize((await Store.FindVersionAsync("house", "v0"))! with { Version = "v1", CreatedUtc = t0.AddMinutes(1) });
        await WriteRawAsync(StoredV1, Craft(craft, valid));

        var expected = $"Model store {Store.Location}: {StoredV1}: invalid manifest: {problem}";
        await FluentActions.Awaiting(() => Store.FindVersionAsync("house", "v1")).Should().ThrowExactlyAsync<InvalidManifestException>().WithMessage(expected);
        await FluentActions.Awaiting(() => Store.ResolveAsync(ModelReference.Parse("house:v1"))).Should().ThrowExactlyAsync<InvalidManifestException>().WithMessage(expected);
        await FluentActions.Awaiting(() => Store.PromoteAsync("house", "v1", "production")).Should().ThrowExactlyAsync<InvalidManifestException>();
        (await Store.FindAliasAsync("house", "production")).Should().BeNull();

        // Listing skips the bad version like an incomplete one, and says why.
        (await Store.ListVersionsAsync("house")).Select(m => m.Version).Should().Equal("v0");
        (await Store.ResolveAsync(ModelReference.Parse("house"))).Version.Should().Be("v0");
        var scan = await Store.ScanVersionsAsync("house");
        scan.Versions.Select(m => m.Version).Should().Equal("v0");
        scan.Invalid.Should().ContainSingle().Which.Message.Should().Match(expected);
    }

    [Fact]
    public async Task Download_never_writes_outside_its_folder_even_for_a_manifest_that_skipped_validation()
    {
        var published = await PublishAsync("house", "v1");
        var forged = published with
        {
            Artifacts = new Dictionary<string, ArtifactInfo>(published.Artifacts) { ["../escaped"] = published.Artifacts[ModelManifest.ModelFileName] },
        };
        var outer = Directory.CreateTempSubdirectory("download-").FullName;
        _packages.Add(outer);
        var target = Path.Combine(outer, "out");

        await FluentActions.Awaiting(() => Store.DownloadAsync(forged, target)).Should().ThrowExactlyAsync<InvalidManifestException>()
            .WithMessage("*artifacts[\"../escaped\"]: would be written outside the download folder*");

        CraftedPackage.FilesUnder(outer).Should().BeEmpty();
    }

    [Theory]
    [InlineData("../model.zip")]
    [InlineData("a/../model.zip")]
    public async Task Reading_an_artifact_by_an_unsafe_name_is_refused_before_touching_storage(string fileName)
    {
        var published = await PublishAsync("house", "v1");
        var forged = published with
        {
            Artifacts = new Dictionary<string, ArtifactInfo>(published.Artifacts) { [fileName] = published.Artifacts[ModelManifest.ModelFileName] },
        };

        await FluentActions.Awaiting(() => Store.ReadArtifactAsync(forged, fileName)).Should().ThrowExactlyAsync<ArgumentException>().WithMessage("*Invalid artifact name*");
    }

    /// <summary>A stored manifest for house:v1 as a faulty writer, a truncated upload or an attacker leaves it.</summary>
    private static byte[] Craft(string craft, byte[] valid) => craft switch
    {
        "empty object" => "{}"u8.ToArray(),
        "null" => "null"u8.ToArray(),
        "empty file" => [],
        "truncated" => valid[..(valid.Length / 2)],
        "not JSON" => [0xff, 0xfe, 0x00, 0x7b],
        "null name" => CraftedPackage.Mutate(valid, m => m["name"] = null),
        "null inputs" => CraftedPackage.Mutate(valid, m => m["inputs"] = null),
        "null input" => CraftedPackage.Mutate(valid, m => m["inputs"]![0] = null),
        "null label" => CraftedPackage.Mutate(valid, m => m["label"] = null),
        "null artifact" => CraftedPackage.Mutate(valid, m => m["artifacts"]!["model.zip"] = null),
        "no model.zip" => CraftedPackage.Mutate(valid, m => m["artifacts"]!.AsObject().Remove("model.zip")),
        "short sha256" => CraftedPackage.Mutate(valid, m => m["artifacts"]!["model.zip"]!["sha256"] = "abc"),
        "negative size" => CraftedPackage.Mutate(valid, m => m["artifacts"]!["model.zip"]!["size"] = -1),
        "unknown task" => CraftedPackage.Mutate(valid, m => m["task"] = 7),
        "another model" => CraftedPackage.Mutate(valid, m => m["name"] = "iris"),
        "another version" => CraftedPackage.Mutate(valid, m => m["version"] = "v9"),
        _ => CraftedPackage.Mutate(valid, m => m["artifacts"]![craft] = m["artifacts"]!["model.zip"]!.DeepClone()),
    };
}
