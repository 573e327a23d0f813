namespace MLPipeline.Deploy.Tests;

public sealed class SecretScanTests
{
    [Fact]
    public void Nothing_in_deploy_or_the_pipelines_holds_a_secret_or_a_key()
    {
        var files = Directory.EnumerateFiles(RepoRoot.Combine("deploy"), "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(RepoRoot.AzurePipelines, "*", SearchOption.AllDirectories))
            .Append(RepoRoot.Combine("azure.yaml"))
            .Append(RepoRoot.Combine(".dockerignore"))
            .ToList();

        files.Should().HaveCountGreaterThan(15);
        files.SelectMany(file => SecretScanner.Scan(Path.GetRelativePath(RepoRoot.Path, file), File.ReadAllText(file)))
            .Should().BeEmpty();
    }

    [Theory]
    [InlineData("connection string", "DefaultEndpointsProtocol=https;AccountName=x;Account" + "Key=abc;")]
    [InlineData("SAS URI", "https://x.blob.core.windows.net/models?sv=2024-01-01&s" + "ig=abcdef%3D")]
    [InlineData("storage key", "key: 'q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C2v3B4n5M6q7W8e9R0t1Y2u3I4o5P6a7S8d9F0gA=='")]
    [InlineData("password", "  pass" + "word: Sup3rS3cret!")]
    [InlineData("client secret", "client_" + "secret=abcdefghij")]
    [InlineData("private key", "-----BEGIN RSA PRIVATE" + " KEY-----")]
    public void Scanner_flags_key_like_strings(string what, string line)
    {
        SecretScanner.Scan(what, line).Should().NotBeEmpty();
    }

    [Theory]
    [InlineData("roleId: '7f951dda-4ed3-4680-a7ca-43fe172d538d'")]
    [InlineData("scriptPath: pipelines/azure-devops/scripts/release-revision.sh")]
    [InlineData("value: [parameters('storeUri')]")]
    [InlineData("AZURE_CLIENT_ID")]
    public void Scanner_leaves_ordinary_deployment_text_alone(string line)
    {
        SecretScanner.Scan("line", line).Should().BeEmpty();
    }
}
