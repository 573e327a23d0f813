using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MLPipeline.Deploy.Tests;

/// <summary>
/// Every repository path the deployment files name (pipelines, Dockerfiles, azure.yaml, the
/// parameters file) exists, read from those files themselves, so a renamed project or spec
/// breaks this test rather than a pipeline run in Azure.
/// </summary>
public sealed partial class ReferencedPathsTests
{
    [Fact]
    public void Every_path_the_deployment_files_reference_exists()
    {
        var references = PipelinePaths().Concat(DockerfilePaths()).Concat(AzdPaths()).Concat(ParameterFilePaths()).ToList();

        references.Should().Contain(reference => reference.Path == "src/Training");
        references.Should().Contain(reference => reference.Path == "pipelines/house-prices.json");
        references.Should().Contain(reference => reference.Source == "azure.yaml hook preprovision");
        references.Select(reference => reference.Path).Where(path => path.StartsWith("src/", StringComparison.Ordinal))
            .Should().Contain(["src/Serving/MLPipeline.Serving.csproj", "src/Training/MLPipeline.Training.csproj"]);
        references.Where(reference => !Exists(reference.Path))
            .Select(reference => $"{reference.Source} names {reference.Path}, which does not exist")
            .Distinct()
            .Should().BeEmpty();
    }

    /// <summary>Paths inside the repository that a pipeline names, with parameters and variables at their defaults.</summary>
    private static IEnumerable<(string Source, string Path)> PipelinePaths() =>
        PipelineFile.All.SelectMany(file => RepositoryPath().Matches(file.ExpandedText())
            .Select(match => (file.RelativePath, match.Value)));

    private static IEnumerable<(string Source, string Path)> DockerfilePaths()
    {
        foreach (var path in Dockerfile.All)
        {
            var dockerfile = Dockerfile.Load(path);
            var name = "deploy/azure/" + Path.GetFileName(path);
            foreach (var instruction in dockerfile.Instructions)
            {
                if (instruction.Keyword == "COPY" && !instruction.Arguments.StartsWith("--from", StringComparison.Ordinal))
                {
                    foreach (var source in instruction.Words.SkipLast(1))
                    {
                        yield return (name, source.TrimEnd('/'));
                    }
                }
                else if (instruction.Keyword == "RUN" && DotnetProjectCommand().Match(instruction.Arguments) is { Success: true } match)
                {
                    yield return (name, match.Groups["project"].Value);
                }
            }
        }
    }

    private static IEnumerable<(string Source, string Path)> AzdPaths()
    {
        var azd = YamlJson.ToJson(YamlJson.Load(File.ReadAllText(RepoRoot.Combine("azure.yaml"))))!;
        var infra = (string)azd["infra"]!["path"]!;
        yield return ("azure.yaml", infra);
        yield return ("azure.yaml", $"{infra}/{(string)azd["infra"]!["module"]!}.bicep");
        foreach (var (service, config) in azd["services"]!.AsObject())
        {
            var project = (string)config!["project"]!;
            yield return ($"azure.yaml service {service}", project);
            if (config["docker"] is JsonObject docker)
            {
                yield return ($"azure.yaml service {service}", Normalize($"{project}/{(string)docker["path"]!}"));
                yield return ($"azure.yaml service {service}", Normalize($"{project}/{(string)docker["context"]!}"));
            }
        }

        foreach (var (hook, config) in azd["hooks"]?.AsObject() ?? [])
        {
            foreach (Match match in RepositoryPath().Matches((string)config!["run"]!))
            {
                yield return ($"azure.yaml hook {hook}", match.Value);
            }
        }
    }

    private static IEnumerable<(string Source, string Path)> ParameterFilePaths() =>
        UsingDeclaration().Matches(File.ReadAllText(Path.Combine(RepoRoot.DeployAzure, "main.bicepparam")))
            .Select(match => ("deploy/azure/main.bicepparam", $"deploy/azure/{match.Groups["path"].Value}"));

    /// <summary>A file, a glob over files, or a folder; a folder under src/ must hold a project.</summary>
    private static bool Exists(string path)
    {
        var full = RepoRoot.Combine(path);
        if (path.Contains('*', StringComparison.Ordinal))
        {
            var folder = Path.GetDirectoryName(full)!;
            return Directory.Exists(folder) && Directory.EnumerateFiles(folder, Path.GetFileName(full)).Any();
        }

        if (Directory.Exists(full))
        {
            return !path.StartsWith("src/", StringComparison.Ordinal) || path.Count(c => c == '/') != 1 || Directory.EnumerateFiles(full, "*.csproj").Any();
        }

        return File.Exists(full);
    }

    private static string Normalize(string path)
    {
        var relative = Path.GetRelativePath(RepoRoot.Path, Path.GetFullPath(RepoRoot.Combine(path))).Replace('\\', '/');
        return relative == "." ? string.Empty : relative;
    }

    [GeneratedRegex(@"(?<![\w/.$-])(?:src|pipelines|deploy|tests|data|docs)/[A-Za-z0-9_.*/-]*[A-Za-z0-9_*]")]
    private static partial Regex RepositoryPath();

    [GeneratedRegex(@"^dotnet (restore|publish) (?<project>\S+\.csproj)")]
    private static partial Regex DotnetProjectCommand();

    [GeneratedRegex(@"^using '(?<path>[^']+)'", RegexOptions.Multiline)]
    private static partial Regex UsingDeclaration();
}
