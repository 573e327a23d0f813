using MLPipeline.Shared.Store;

namespace MLPipeline.Shared.Tests.Store;

public sealed class BlobStoreLocationTests
{
    [Fact]
    public void An_account_uri_splits_into_endpoint_container_and_prefix()
    {
        var location = BlobStoreLocation.Parse(new Uri("https://acct.blob.core.windows.net/models/team/prod/"));

        location.ServiceUri.Should().Be(new Uri("https://acct.blob.core.windows.net/"));
        location.AccountName.Should().Be("acct");
        location.Container.Should().Be("models");
        location.Prefix.Should().Be("team/prod");
        location.Sas.Should().BeNull();
        location.Display.Should().Be("https://acct.blob.core.windows.net/models/team/prod");
    }

    [Fact]
    public void An_azurite_uri_carries_the_account_in_the_path()
    {
        var location = BlobStoreLocation.Parse(new Uri("http://127.0.0.1:10000/devstoreaccount1/models"));

        location.ServiceUri.Should().Be(new Uri("http://127.0.0.1:10000/devstoreaccount1"));
        location.AccountName.Should().Be("devstoreaccount1");
        location.Container.Should().Be("models");
        location.Prefix.Should().BeEmpty();
        location.ContainerUri.Should().Be(new Uri("http://127.0.0.1:10000/devstoreaccount1/models"));
    }

    [Fact]
    public void A_sas_is_kept_for_the_client_but_never_shown()
    {
        var location = BlobStoreLocation.Parse(new Uri(
            "https://acct.blob.core.windows.net/models?sv=2025-01-05&sr=c&sp=rl&se=2030-01-01T00%3A00%3A00Z&sig=c2VjcmV0c2lnbmF0dXJl"));

        location.Sas.Should().Contain("sig=").And.Contain("sp=rl");
        location.Display.Should().Be("https://acct.blob.core.windows.net/models").And.NotContain("sig");
        location.ContainerUriWithSas.Query.Should().Contain("sig=");
        ModelStoreFactory.Open("https://acct.blob.core.windows.net/models?sv=2025-01-05&sr=c&sp=rl&sig=c2VjcmV0")
            .Location.Should().Be("https://acct.blob.core.windows.net/models");
    }

    [Theory]
    [InlineData("https://acct.blob.core.windows.net", "names no container")]
    [InlineData("https://acct.blob.core.windows.net/models/bad%20segment", "prefix segment")]
    [InlineData("http://127.0.0.1:10000/", "names no storage account")]
    public void A_uri_without_a_container_is_refused_clearly(string uri, string message)
    {
        FluentActions.Invoking(() => BlobStoreLocation.Parse(new Uri(uri)))
            .Should().Throw<ModelStoreException>().WithMessage($"*{message}*");
    }

    [Theory]
    [InlineData("models", false)]
    [InlineData("/var/models", false)]
    [InlineData("file:///var/models", false)]
    [InlineData("https://acct.blob.core.windows.net/models", true)]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1/models", true)]
    public void The_factory_tells_folders_from_containers(string location, bool isBlob)
    {
        BlobStoreLocation.IsBlobUri(location, out _).Should().Be(isBlob);
    }

    [Fact]
    public void Without_sas_or_connection_string_a_plain_http_endpoint_cannot_use_a_token()
    {
        FluentActions.Invoking(() => new BlobModelStore(
                BlobStoreLocation.Parse(new Uri("http://127.0.0.1:10000/devstoreaccount1/models")),
                new BlobStoreOptions { ConnectionString = "" }))
            .Should().Throw<ModelStoreException>().WithMessage($"*no SAS*{BlobStoreOptions.ConnectionStringVariable}*https*");
    }

    [Fact]
    public void A_malformed_connection_string_is_refused_without_echoing_it()
    {
        FluentActions.Invoking(() => new BlobModelStore(
                BlobStoreLocation.Parse(new Uri("https://acct.blob.core.windows.net/models")),
                new BlobStoreOptions { ConnectionString = "AccountKey=topsecret;garbage" }))
            .Should().Throw<ModelStoreException>()
            .Where(e => e.Message.Contains("not a valid storage connection string") && !e.Message.Contains("topsecret"));
    }
}
