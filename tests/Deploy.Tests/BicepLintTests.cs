using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MLPipeline.Deploy.Tests;

[Collection(BicepGroup.Name)]
public sealed partial class BicepLintTests(BicepBuildFixture bicep)
{
    [Fact]
    public void Every_bicep_file_lints_without_errors_or_warnings()
    {
        Directory.EnumerateFiles(RepoRoot.DeployAzure, "*.bicep", SearchOption.AllDirectories).Should().HaveCountGreaterThan(5);
        BicepCli.Diagnostics(bicep.Lint, "Error", "Warning").Should().BeEmpty();
        bicep.Lint.ExitCode.Should().Be(0, bicep.Lint.Output);
    }

    [Fact]
    public void Main_template_builds_offline_without_errors_or_warnings()
    {
        bicep.Build.ExitCode.Should().Be(0, bicep.Build.Output);
        BicepCli.Diagnostics(bicep.Build, "Error", "Warning").Should().BeEmpty();
        bicep.Template.Should().NotBeNull();
    }

    [Fact]
    public void Parameters_file_builds_against_main_with_sensible_defaults()
    {
        bicep.BuildParams.ExitCode.Should().Be(0, bicep.BuildParams.Output);
        var parameters = JsonNode.Parse(bicep.BuildParams.StdOut)!["parametersJson"] is JsonValue wrapped
            ? JsonNode.Parse(wrapped.GetValue<string>())!["parameters"]!
            : JsonNode.Parse(bicep.BuildParams.StdOut)!["parameters"]!;

        ((string?)parameters["environmentName"]!["value"]).Should().NotBeNullOrEmpty();
        ((string?)parameters["location"]!["value"]).Should().NotBeNullOrEmpty();
        ((string?)parameters["servingAlias"]!["value"]).Should().Be("production");
        ((int)parameters["servingMinReplicas"]!["value"]!).Should().BeGreaterThanOrEqualTo(1);
        ((int)parameters["servingMaxReplicas"]!["value"]!).Should().BeGreaterThan((int)parameters["servingMinReplicas"]!["value"]!);
        File.Exists(RepoRoot.Combine($"pipelines/{(string?)parameters["trainingSpec"]!["value"]}.json")).Should().BeTrue("the training jobs train a spec that exists");
    }

    [Fact]
    public void Linter_configuration_turns_the_rules_that_matter_into_errors()
    {
        // A template that breaks three raised rules must fail lint; proves bicepconfig.json is in force.
        var folder = Directory.CreateTempSubdirectory("bicep-lint-");
        try
        {
            File.Copy(Path.Combine(RepoRoot.DeployAzure, "bicepconfig.json"), Path.Combine(folder.FullName, "bicepconfig.json"));
            File.WriteAllText(Path.Combine(folder.FullName, "bad.bicep"), """
                param unused string
                @secure()
                param token string = 'not-a-secret-default'
                output token string = token
                """);

            var result = BicepCli.Run(folder.FullName, "lint", "bad.bicep");

            result.ExitCode.Should().NotBe(0);
            var errors = string.Join('\n', BicepCli.Diagnostics(result, "Error"));
            errors.Should().Contain("no-unused-params").And.Contain("secure-parameter-default").And.Contain("outputs-should-not-contain-secrets");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Templates_use_local_modules_only()
    {
        // Registry (br:) and template-spec (ts:) modules need a network to build; local files do not.
        var modules = Directory.EnumerateFiles(RepoRoot.DeployAzure, "*.bicep", SearchOption.AllDirectories)
            .SelectMany(file => ModuleReference().Matches(File.ReadAllText(file)).Select(match => (File: file, Path: match.Groups["path"].Value)))
            .ToList();

        modules.Should().HaveCountGreaterThan(5);
        foreach (var (file, path) in modules)
        {
            path.Should().NotContain(":", file);
            File.Exists(Path.Combine(Path.GetDirectoryName(file)!, path)).Should().BeTrue($"{file} uses module {path}");
        }
    }

    [GeneratedRegex(@"^\s*module\s+\w+\s+'(?<path>[^']+)'", RegexOptions.Multiline)]
    private static partial Regex ModuleReference();
}
