using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;
using MLPipeline.Training.Cli;

namespace MLPipeline.Training.Tests.StoreCommands;

/// <summary>The store commands against a folder store: the whole lifecycle, the outputs, and the bad inputs.</summary>
public sealed class FolderStoreCommandTests : IDisposable
{
    private readonly string _store = Directory.CreateTempSubdirectory("cli-store-").FullName;
    private readonly List<string> _folders = [];

    public void Dispose()
    {
        foreach (var dir in _folders.Append(_store))
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Publish_list_show_promote_rollback_and_download_work_together()
    {
        var t0 = DateTimeOffset.UtcNow.AddHours(-1);
        (await Run("publish", Package("house", "v1", 0.80, t0), "--store", _store)).Should().Match<CliResult>(r => r.ExitCode == 0 && r.Output.Contains("Published house:v1"));
        (await Run("publish", Package("house", "v2", 0.85, t0.AddMinutes(1)), "--store", _store, "--json")).Json.GetProperty("version").GetString().Should().Be("v2");
        await Succeed("promote", "house", "v1", "--alias", "production", "--store", _store);

        var promoted = (await Succeed("promote", "house", "v2", "--alias", "production", "--store", _store, "--json")).Json;
        promoted.GetProperty("version").GetString().Should().Be("v2");
        promoted.GetProperty("previousVersion").GetString().Should().Be("v1");
        promoted.GetProperty("movedBy").GetString().Should().Be(AliasMover.Identity);

        var models = (await Succeed("list", "--store", _store, "--json")).Json;
        models.GetArrayLength().Should().Be(1);
        models[0].GetProperty("name").GetString().Should().Be("house");
        models[0].GetProperty("versions").GetInt32().Should().Be(2);
        models[0].GetProperty("latestVersion").GetString().Should().Be("v2");
        models[0].GetProperty("aliases").GetProperty("production").GetString().Should().Be("v2");

        var versions = (await Succeed("list", "house", "--store", _store, "--json")).Json.EnumerateArray().ToList();
        versions.Select(v => v.GetProperty("version").GetString()).Should().Equal("v1", "v2");
        versions.Select(v => v.GetProperty("mainMetricValue").GetDouble()).Should().Equal(0.80, 0.85);
        versions[1].GetProperty("aliases").EnumerateArray().Select(a => a.GetString()).Should().Equal("production");

        (await Succeed("show", "house@production", "--store", _store, "--json")).Json.GetProperty("version").GetString().Should().Be("v2");
        var rolledBack = await Succeed("rollback", "house", "--alias", "production", "--store", _store);
        rolledBack.Output.Should().Contain("house@production -> v1 (was v2)");
        (await Succeed("show", "house@production", "--store", _store, "--json")).Json.GetProperty("version").GetString().Should().Be("v1");

        var target = NewFolder();
        var downloaded = (await Succeed("download", "house@production", "--output", target, "--store", _store, "--json")).Json;
        downloaded.GetProperty("version").GetString().Should().Be("v1");
        VersionFolder.ReadVerified(target).Version.Should().Be("v1");
    }

    [Fact]
    public async Task Tables_show_versions_with_main_metric_and_aliases()
    {
        await Succeed("publish", Package("house", "v1", 0.8125), "--store", _store);
        await Succeed("promote", "house", "v1", "--alias", "staging", "--store", _store);

        var models = await Succeed("list", "--store", _store);
        models.Output.Should().Contain("house").And.Contain("RSquared 0.8125").And.Contain("staging -> v1");
        var versions = await Succeed("list", "house", "--store", _store);
        versions.Output.Should().Contain("v1").And.Contain("FastTree").And.Contain("RSquared 0.8125").And.Contain("staging");
        var show = await Succeed("show", "house", "--store", _store);
        show.Output.Should().Contain("house:v1").And.Contain("RSquared (main)").And.Contain("model.zip").And.Contain("staging (moved by");
    }

    [Fact]
    public async Task An_empty_store_lists_no_models()
    {
        (await Succeed("list", "--store", _store, "--json")).Json.GetArrayLength().Should().Be(0);
        (await Succeed("list", "--store", _store)).Output.Should().Contain("No models in");
    }

    [Fact]
    public async Task A_second_publish_of_a_version_is_a_store_error()
    {
        await Succeed("publish", Package("house", "v1"), "--store", _store);

        var again = await Run("publish", Package("house", "v1"), "--store", _store);

        again.ExitCode.Should().Be(ExitCodes.StoreError, again.ToString());
        again.Error.Should().Contain("house:v1 already exists").And.Contain("immutable");
    }

    [Fact]
    public async Task A_tampered_artifact_fails_the_download_with_exit_4_and_leaves_no_folder()
    {
        await Succeed("publish", Package("house", "v1"), "--store", _store);
        await File.WriteAllBytesAsync(Path.Combine(_store, "house", "versions", "v1", "model.zip"), new byte[4096]);
        var target = Path.Combine(NewFolder(), "out");

        var result = await Run("download", "house:v1", "--output", target, "--store", _store);

        result.ExitCode.Should().Be(ExitCodes.StoreError, result.ToString());
        result.Error.Should().Contain("SHA-256").And.Contain("tampered");
        Directory.Exists(target).Should().BeFalse();
    }

    [Theory]
    [InlineData(ExitCodes.StoreError, "does not exist", "show", "house@production")]
    [InlineData(ExitCodes.StoreError, "has no versions", "list", "ghost")]
    [InlineData(ExitCodes.StoreError, "does not exist", "promote", "house", "v9", "--alias", "production")]
    [InlineData(ExitCodes.StoreError, "no previous version", "rollback", "house", "--alias", "staging")]
    [InlineData(ExitCodes.BadUsageOrSpec, "Invalid model name", "show", "../house")]
    [InlineData(ExitCodes.BadUsageOrSpec, "Invalid alias", "promote", "house", "v1", "--alias", "prod/uction")]
    [InlineData(ExitCodes.BadUsageOrSpec, "use up to 100 letters", "show", "house:v12345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901")]
    [InlineData(ExitCodes.BadUsageOrSpec, "--alias", "promote", "house", "v1")]
    [InlineData(ExitCodes.BadUsageOrSpec, "does not exist", "publish", "/no/such/folder")]
    public async Task Bad_references_and_usage_get_their_exit_code_and_a_clear_message(int exitCode, string message, params string[] args)
    {
        await Succeed("publish", Package("house", "v1"), "--store", _store);
        await Succeed("promote", "house", "v1", "--alias", "staging", "--store", _store);

        var result = await Run([.. args, "--store", _store]);

        result.ExitCode.Should().Be(exitCode, result.ToString());
        result.Error.Should().Contain(message);
    }

    [Theory]
    [InlineData("ftp://host/models")]
    [InlineData("htps://acct.blob.core.windows.net/models")]
    public async Task A_store_uri_of_another_scheme_is_a_store_error_not_a_local_folder(string location)
    {
        var result = await Run("list", "--store", location);

        result.ExitCode.Should().Be(ExitCodes.StoreError, result.ToString());
        result.Error.Should().Contain($"Store '{location}'").And.Contain("is not a store scheme");
    }

    [Fact]
    public async Task A_broken_local_manifest_is_a_store_error_naming_the_file()
    {
        var package = Package("house", "v1");
        await File.WriteAllTextAsync(Path.Combine(package, "manifest.json"), "{ not json");

        var result = await Run("publish", package, "--store", _store);

        result.ExitCode.Should().Be(ExitCodes.StoreError, result.ToString());
        result.Error.Should().Contain(Path.Combine(package, "manifest.json")).And.Contain("not a valid manifest");
    }

    [Fact]
    public async Task Publish_of_a_folder_whose_manifest_names_an_artifact_outside_it_exits_4_and_writes_nothing()
    {
        var (outer, package) = CraftedPackage.WithArtifact("../../x");
        _folders.Add(outer);
        var before = CraftedPackage.FilesUnder(outer);

        var result = await Run("publish", package, "--store", _store);

        result.ExitCode.Should().Be(ExitCodes.StoreError, result.ToString());
        result.Error.Should().Contain($"{Path.Combine(package, "manifest.json")}: invalid manifest: artifacts[\"../../x\"]: an artifact name must be a plain file name");
        CraftedPackage.FilesUnder(_store).Should().BeEmpty();
        CraftedPackage.FilesUnder(outer).Should().Equal(before);
    }

    [Fact]
    public async Task Download_of_a_stored_version_whose_manifest_names_an_artifact_outside_it_exits_4_and_writes_nothing()
    {
        await Succeed("publish", Package("house", "v1"), "--store", _store);
        var version = Path.Combine(_store, "house", "versions", "v1");
        // What someone with write access to the store folder plants: the manifest and the bytes it points at.
        var manifest = Path.Combine(version, "manifest.json");
        await File.WriteAllBytesAsync(manifest, CraftedPackage.Mutate(await File.ReadAllBytesAsync(manifest), m => m["artifacts"]!["../../x"] = m["artifacts"]!["model.zip"]!.DeepClone()));
        File.Copy(Path.Combine(version, "model.zip"), Path.Combine(_store, "house", "x"));
        var outer = NewFolder();
        var target = Path.Combine(outer, "deep", "out");

        var result = await Run("download", "house:v1", "--output", target, "--store", _store);

        result.ExitCode.Should().Be(ExitCodes.StoreError, result.ToString());
        result.Error.Should().Contain("house/versions/v1/manifest.json: invalid manifest: artifacts[\"../../x\"]: an artifact name must be a plain file name");
        CraftedPackage.FilesUnder(outer).Should().BeEmpty();
    }

    [Fact]
    public async Task List_leaves_out_a_version_with_an_invalid_manifest_and_warns_naming_it()
    {
        var t0 = DateTimeOffset.UtcNow.AddHours(-1);
        await Succeed("publish", Package("house", "v1", createdUtc: t0), "--store", _store);
        await Succeed("publish", Package("house", "v2", createdUtc: t0.AddMinutes(1)), "--store", _store);
        await File.WriteAllTextAsync(Path.Combine(_store, "house", "versions", "v2", "manifest.json"), "{}");
        const string warning = "warning: skipped a version of house: ";

        var versions = await Succeed("list", "house", "--store", _store, "--json");
        versions.Json.EnumerateArray().Select(v => v.GetProperty("version").GetString()).Should().Equal("v1");
        versions.Error.Should().Contain(warning).And.Contain("house/versions/v2/manifest.json: invalid manifest: $: not a valid manifest");

        var models = await Succeed("list", "--store", _store, "--json");
        models.Json[0].GetProperty("latestVersion").GetString().Should().Be("v1");
        models.Error.Should().Contain(warning);

        var show = await Run("show", "house:v2", "--store", _store);
        show.ExitCode.Should().Be(ExitCodes.StoreError, show.ToString());
        show.Error.Should().Contain("house/versions/v2/manifest.json: invalid manifest");
    }

    [Fact]
    public async Task Download_refuses_a_folder_that_is_not_empty()
    {
        await Succeed("publish", Package("house", "v1"), "--store", _store);
        var target = NewFolder();
        await File.WriteAllTextAsync(Path.Combine(target, "keep.txt"), "mine");

        var result = await Run("download", "house", "--output", target, "--store", _store);

        result.ExitCode.Should().Be(ExitCodes.BadUsageOrSpec, result.ToString());
        result.Error.Should().Contain("not empty");
        File.ReadAllText(Path.Combine(target, "keep.txt")).Should().Be("mine");
    }

    [Fact]
    public async Task The_built_program_registers_the_store_commands()
    {
        await Succeed("publish", Package("house", "v1"), "--store", _store);

        var result = await StoreCli.RunProcessAsync(new Dictionary<string, string?>(), "list", "--store", new Uri(_store).AbsoluteUri, "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Json[0].GetProperty("name").GetString().Should().Be("house");
    }

    private static Task<CliResult> Run(params string[] args) => StoreCli.RunAsync(args);

    private static async Task<CliResult> Succeed(params string[] args)
    {
        var result = await StoreCli.RunAsync(args);
        result.ExitCode.Should().Be(0, result.ToString());
        return result;
    }

    private string Package(string name, string version, double rSquared = 0.9, DateTimeOffset? createdUtc = null)
    {
        var dir = TestModelPackage.Create(name, version, rSquared, createdUtc);
        _folders.Add(dir);
        return dir;
    }

    private string NewFolder()
    {
        var dir = Directory.CreateTempSubdirectory("cli-out-").FullName;
        _folders.Add(dir);
        return dir;
    }
}
