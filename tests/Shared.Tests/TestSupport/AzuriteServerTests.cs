using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;

namespace MLPipeline.Shared.Tests.TestSupport;

/// <summary>The Azurite fixture itself: later tests (hot reload) rely on stopping and restarting it.</summary>
public sealed class AzuriteServerTests
{
    [Fact]
    public async Task A_persistent_server_can_be_stopped_and_restarted_on_the_same_port_with_its_data()
    {
        await using var server = await AzuriteServer.StartAsync(persistent: true);
        var container = await server.CreateContainerAsync();
        var options = new BlobStoreOptions { ConnectionString = server.ConnectionString, MaxRetries = 0 };
        var store = ModelStoreFactory.Open(server.StoreUri(container), options);
        var package = TestModelPackage.Create("house", "v1");
        try
        {
            await store.PublishAsync(package);

            await server.StopAsync();
            server.IsRunning.Should().BeFalse();
            await FluentActions.Awaiting(() => store.ListModelsAsync()).Should().ThrowAsync<ModelStoreException>().WithMessage("*did not answer*");

            var port = server.Port;
            await server.StartAsync();
            server.IsRunning.Should().BeTrue();
            server.Port.Should().Be(port);
            (await store.ListModelsAsync()).Should().Equal("house");
        }
        finally
        {
            Directory.Delete(package, recursive: true);
        }
    }

    [Fact]
    public void A_missing_node_fails_with_a_message_that_says_what_to_install()
    {
        FluentActions.Invoking(() => NodePackages.Start(new System.Diagnostics.ProcessStartInfo("node-that-is-not-installed") { UseShellExecute = false }))
            .Should().Throw<InvalidOperationException>()
            .WithMessage("'node-that-is-not-installed' was not found: Node.js 20+ with npm is required to run Azurite*do not skip*");
    }
}
