using System.Net;
using System.Net.Sockets;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;
using MLPipeline.Training.Cli;

namespace MLPipeline.Training.Tests.StoreCommands;

/// <summary>
/// The console against a real Azurite blob store. In-process runs authenticate with a SAS in the URI; the
/// connection-string runs start the real program with MLPIPELINE_STORAGE_CONNECTION_STRING in its own
/// environment, so no test changes this process's environment.
/// </summary>
[Collection(AzuriteTests.Name)]
public sealed class BlobStoreCommandTests(AzuriteFixture azurite) : IDisposable
{
    private readonly List<string> _folders = [];

    private AzuriteServer Azurite => azurite.Server;

    public void Dispose()
    {
        foreach (var dir in _folders.Where(Directory.Exists))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Train_publishes_to_a_blob_store_and_moves_the_staging_alias()
    {
        var store = Azurite.StoreUriWithSas(await Azurite.CreateContainerAsync(), "ml");

        var trained = await StoreCli.RunAsync("train", RepositoryRoot.Spec("linear-2x-minus-1"), "--store", store, "--alias", "staging", "--version", "v1");

        trained.ExitCode.Should().Be(0, trained.ToString());
        var versions = (await Succeed("list", "linear-2x-minus-1", "--store", store, "--json")).Json;
        versions.GetArrayLength().Should().Be(1);
        versions[0].GetProperty("version").GetString().Should().Be("v1");
        versions[0].GetProperty("trainer").GetString().Should().Be("OnlineGradientDescent");
        versions[0].GetProperty("aliases")[0].GetString().Should().Be("staging");
    }

    [Fact]
    public async Task Publish_promote_rollback_show_and_download_work_on_a_blob_store()
    {
        var container = await Azurite.CreateContainerAsync();
        var store = Azurite.StoreUriWithSas(container);
        var t0 = DateTimeOffset.UtcNow.AddHours(-1);
        (await Succeed("publish", Package("house", "v1", t0), "--store", store, "--json")).Json.GetProperty("store").GetString()
            .Should().Be(Azurite.StoreUri(container), "the SAS never appears in output");
        await Succeed("publish", Package("house", "v2", t0.AddMinutes(1)), "--store", store);
        await Succeed("promote", "house", "v1", "--alias", "production", "--store", store);
        await Succeed("promote", "house", "v2", "--alias", "production", "--store", store);

        var rolledBack = (await Succeed("rollback", "house", "--alias", "production", "--store", store, "--json")).Json;
        rolledBack.GetProperty("version").GetString().Should().Be("v1");
        rolledBack.GetProperty("previousVersion").GetString().Should().Be("v2");

        var shown = await Succeed("show", "house@production", "--store", store);
        shown.Output.Should().Contain("house:v1").And.Contain(Azurite.StoreUri(container)).And.NotContain("sig=");
        var target = Path.Combine(NewFolder(), "house");
        await Succeed("download", "house:v2", "--output", target, "--store", store);
        VersionFolder.ReadVerified(target).Version.Should().Be("v2");
    }

    [Fact]
    public async Task A_sas_signed_with_a_wrong_key_exits_4_naming_the_store_and_the_sas()
    {
        var container = await Azurite.CreateContainerAsync();

        var result = await StoreCli.RunAsync("list", "--store", Azurite.StoreUriWithSas(container, key: AzuriteServer.WrongKey));

        result.ExitCode.Should().Be(ExitCodes.StoreError, result.ToString());
        result.Error.Should().Contain($"Model store {Azurite.StoreUri(container)}: listing models failed: access refused (HTTP 403")
            .And.Contain("Check the SAS token").And.NotContain("sig=");
    }

    [Fact]
    public async Task A_missing_container_exits_4_naming_the_container()
    {
        var result = await StoreCli.RunAsync("publish", Package("house", "v1"), "--store", Azurite.StoreUriWithSas("missing-container"));

        result.ExitCode.Should().Be(ExitCodes.StoreError, result.ToString());
        result.Error.Should().Contain($"Model store {Azurite.StoreUri("missing-container")}: publishing house:v1 failed: container 'missing-container' does not exist");
    }

    [Fact]
    public async Task The_program_uses_the_connection_string_from_the_environment()
    {
        var container = await Azurite.CreateContainerAsync();
        var store = Azurite.StoreUri(container);
        var environment = new Dictionary<string, string?> { [BlobStoreOptions.ConnectionStringVariable] = Azurite.ConnectionString };

        var published = await StoreCli.RunProcessAsync(environment, "publish", Package("house", "v1"), "--store", store, "--json");
        published.ExitCode.Should().Be(0, published.ToString());
        var listed = await StoreCli.RunProcessAsync(environment, "list", "--store", store, "--json");

        listed.ExitCode.Should().Be(0, listed.ToString());
        listed.Json[0].GetProperty("name").GetString().Should().Be("house");
    }

    [Fact]
    public async Task A_wrong_key_in_the_connection_string_exits_4_without_printing_the_key()
    {
        var container = await Azurite.CreateContainerAsync();
        var environment = new Dictionary<string, string?> { [BlobStoreOptions.ConnectionStringVariable] = Azurite.ConnectionStringWithKey(AzuriteServer.WrongKey) };

        var result = await StoreCli.RunProcessAsync(environment, "show", "house@production", "--store", Azurite.StoreUri(container));

        result.ExitCode.Should().Be(ExitCodes.StoreError, result.ToString());
        result.Error.Should().Contain($"Model store {Azurite.StoreUri(container)}").And.Contain("access refused (HTTP 403")
            .And.Contain(BlobStoreOptions.ConnectionStringVariable).And.NotContain(AzuriteServer.WrongKey);
    }

    [Fact]
    public async Task A_store_that_does_not_answer_exits_4_after_the_retries()
    {
        // Azurite's address with a port that resets every connection: what a stopped emulator or a wrong port looks like.
        using var nothing = new RefusingListener();
        var port = nothing.Port;
        var store = Azurite.StoreUriWithSas("models").Replace($":{Azurite.Port}/", $":{port}/", StringComparison.Ordinal);

        var result = await StoreCli.RunAsync("list", "--store", store);

        result.ExitCode.Should().Be(ExitCodes.StoreError, result.ToString());
        result.Error.Should().Contain($"http://127.0.0.1:{port}/devstoreaccount1/models: listing models failed: the blob endpoint http://127.0.0.1:{port} did not answer (after retries)");
    }

    private async Task<CliResult> Succeed(params string[] args)
    {
        var result = await StoreCli.RunAsync(args);
        result.ExitCode.Should().Be(0, result.ToString());
        return result;
    }

    private string Package(string name, string version, DateTimeOffset? createdUtc = null)
    {
        var dir = TestModelPackage.Create(name, version, createdUtc: createdUtc);
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
