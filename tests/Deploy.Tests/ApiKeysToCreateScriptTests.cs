namespace MLPipeline.Deploy.Tests;

/// <summary>
/// api-keys-to-create.sh decides which API keys a deployment writes: a wrong answer rotates a key by accident
/// (an existing key listed) or breaks the app (a missing key not listed). Azure is out of reach here, so the
/// script runs against a stand-in <c>az</c> on PATH that answers as a given environment would.
/// </summary>
public sealed class ApiKeysToCreateScriptTests : IDisposable
{
    private static readonly string Script = Path.Combine(RepoRoot.AzurePipelines, "scripts", "api-keys-to-create.sh");

    // Answers the five az calls the script makes from FAKE_* variables, and logs each call.
    private const string FakeAz = """
        #!/usr/bin/env bash
        echo "$*" >>"$FAKE_AZ_LOG"
        case "$1 $2 ${3:-}" in
          "group exists "*) echo "$FAKE_GROUP_EXISTS" ;;
          "keyvault list "*) echo "$FAKE_VAULT" ;;
          "keyvault secret list")
            if [[ -n "$FAKE_LIST_ERROR" ]]; then echo "$FAKE_LIST_ERROR" >&2; exit 1; fi
            printf '%b' "$FAKE_SECRETS" ;;
          "keyvault secret list-deleted") printf '%b' "$FAKE_DELETED" ;;
          *) echo "unexpected: az $*" >&2; exit 2 ;;
        esac
        """;

    private readonly DirectoryInfo bin = Directory.CreateTempSubdirectory("fake-az-");

    public ApiKeysToCreateScriptTests()
    {
        var az = Path.Combine(bin.FullName, "az");
        File.WriteAllText(az, FakeAz.ReplaceLineEndings("\n"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(az, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Theory]
    [InlineData("false", "", "", """["predict","admin"]""")]
    [InlineData("true", "", "", """["predict","admin"]""")]
    [InlineData("true", "kv-mlp-abc", "", """["predict","admin"]""")]
    [InlineData("true", "kv-mlp-abc", @"serving-predict-api-key\n", """["admin"]""")]
    [InlineData("true", "kv-mlp-abc", @"other\nserving-admin-api-key\nserving-predict-api-key-old\n", """["predict"]""")]
    [InlineData("true", "kv-mlp-abc", @"serving-admin-api-key\nserving-predict-api-key\n", "[]")]
    public void Lists_exactly_the_keys_the_vault_does_not_hold(string groupExists, string vault, string secrets, string expected)
    {
        var result = Run(groupExists, vault, secrets);

        result.ExitCode.Should().Be(0, result.Output);
        result.StdOut.Trim().Should().Be(expected);
        File.ReadAllText(Path.Combine(bin.FullName, "log")).Should().StartWith("group exists --name rg-mlpipeline-dev --output tsv");
    }

    [Fact]
    public void Lists_nothing_and_warns_when_the_vault_cannot_be_read()
    {
        var result = Run("true", "kv-mlp-abc", string.Empty, listError: "(Forbidden) Caller is not authorized");

        result.ExitCode.Should().Be(0, result.Output);
        result.StdOut.Trim().Should().Be("[]", "an unreadable vault must never lead to an overwritten key");
        result.StdErr.Should().Contain("cannot list the secrets of Key Vault kv-mlp-abc").And.Contain("(Forbidden)");
    }

    [Fact]
    public void Stops_when_a_missing_key_is_deleted_but_not_purged()
    {
        var result = Run("true", "kv-mlp-abc", @"serving-admin-api-key\n", deleted: @"serving-predict-api-key\n");

        result.ExitCode.Should().Be(1);
        result.StdOut.Should().BeEmpty();
        result.StdErr.Should().Contain("az keyvault secret recover --vault-name kv-mlp-abc --name serving-predict-api-key");
    }

    [Fact]
    public void Passes_the_subscription_azd_or_the_pipeline_selected()
    {
        var result = Run("true", "kv-mlp-abc", @"serving-admin-api-key\nserving-predict-api-key\n", subscription: "00000000-0000-0000-0000-000000000001");

        result.ExitCode.Should().Be(0, result.Output);
        File.ReadAllLines(Path.Combine(bin.FullName, "log"))
            .Should().HaveCount(3).And.OnlyContain(call => call.Contains("--subscription 00000000-0000-0000-0000-000000000001", StringComparison.Ordinal));
    }

    public void Dispose() => bin.Delete(recursive: true);

    private ExternalTool.Result Run(string groupExists, string vault, string secrets, string listError = "", string deleted = "", string subscription = "") =>
        ProcessRunner.Run("bash", [Script, "dev"], RepoRoot.Path, new Dictionary<string, string>
        {
            ["PATH"] = $"{bin.FullName}:{Environment.GetEnvironmentVariable("PATH")}",
            ["FAKE_AZ_LOG"] = Path.Combine(bin.FullName, "log"),
            ["FAKE_GROUP_EXISTS"] = groupExists,
            ["FAKE_VAULT"] = vault,
            ["FAKE_SECRETS"] = secrets,
            ["FAKE_LIST_ERROR"] = listError,
            ["FAKE_DELETED"] = deleted,
            ["AZURE_SUBSCRIPTION_ID"] = subscription,
        });
}
