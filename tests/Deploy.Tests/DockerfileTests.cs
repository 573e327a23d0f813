using System.Xml.Linq;

namespace MLPipeline.Deploy.Tests;

public sealed class DockerfileTests
{
    public static TheoryData<string> Dockerfiles() => new(Dockerfile.All.Select(Path.GetFileName)!);

    [Fact]
    public void There_is_a_Dockerfile_for_serving_and_one_for_training()
    {
        Dockerfile.All.Select(Path.GetFileName).Should().BeEquivalentTo(["Dockerfile.serving", "Dockerfile.training"]);
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Builds_with_the_SDK_and_runs_on_the_runtime_image(string name)
    {
        var dockerfile = Load(name);

        dockerfile.Stages.Should().HaveCountGreaterThanOrEqualTo(2);
        dockerfile.Stages[0][0].Arguments.Should().StartWith("mcr.microsoft.com/dotnet/sdk:");
        dockerfile.FinalStage[0].Arguments.Should().MatchRegex(@"^mcr\.microsoft\.com/dotnet/(aspnet|runtime):\S+ AS \w+$");
        dockerfile.FinalStage.Where(instruction => instruction.Keyword == "COPY")
            .Should().Contain(instruction => instruction.Arguments.StartsWith("--from=build ", StringComparison.Ordinal), "the final image takes the published app from the build stage");
        dockerfile.FinalStage.Should().NotContain(instruction => instruction.Keyword == "HEALTHCHECK", "probes are the platform's job");
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Restores_in_its_own_layer_before_copying_the_sources(string name)
    {
        var build = Load(name).Stages[0];
        var restore = build.ToList().FindIndex(instruction => instruction.Keyword == "RUN" && instruction.Arguments.StartsWith("dotnet restore ", StringComparison.Ordinal));
        restore.Should().BePositive();

        var copiesBeforeRestore = build.Take(restore).Where(instruction => instruction.Keyword == "COPY").SelectMany(instruction => instruction.Words.SkipLast(1));
        copiesBeforeRestore.Should().OnlyContain(source => !source.EndsWith('/'), "only project and build files are copied before restore, so code changes keep the restore layer");
        copiesBeforeRestore.Should().Contain("Directory.Packages.props");

        var publish = build.ToList().FindIndex(instruction => instruction.Keyword == "RUN" && instruction.Arguments.StartsWith("dotnet publish ", StringComparison.Ordinal));
        publish.Should().BeGreaterThan(restore);
        build[publish].Arguments.Should().Contain("--no-restore").And.Contain("--configuration Release");
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Runs_as_a_non_root_user(string name)
    {
        var final = Load(name).FinalStage.ToList();
        var user = final.FindLastIndex(instruction => instruction.Keyword == "USER");

        user.Should().BePositive("the final stage must switch user");
        new[] { "root", "0", "0:0", "root:root" }.Should().NotContain(final[user].Arguments);
        final.FindIndex(instruction => instruction.Keyword == "ENTRYPOINT").Should().BeGreaterThan(user);
    }

    [Theory]
    [InlineData("Dockerfile.serving", "src/Serving/MLPipeline.Serving.csproj", "MLPipeline.Serving.dll")]
    [InlineData("Dockerfile.training", "src/Training/MLPipeline.Training.csproj", "mlpipeline.dll")]
    public void Publishes_the_project_and_starts_its_assembly(string name, string project, string assembly)
    {
        var dockerfile = Load(name);

        dockerfile.Instructions.Should().Contain(instruction => instruction.Keyword == "RUN" && instruction.Arguments == $"dotnet restore {project}");
        dockerfile.Instructions.Should().Contain(instruction => instruction.Keyword == "RUN" && instruction.Arguments.StartsWith($"dotnet publish {project} ", StringComparison.Ordinal));
        dockerfile.FinalStage.Single(instruction => instruction.Keyword == "ENTRYPOINT").Arguments.Should().Be($"[\"dotnet\", \"{assembly}\"]");
        if (File.Exists(RepoRoot.Combine(project)))
        {
            // The assembly name is the project's, unless it sets another.
            var assemblyName = XDocument.Load(RepoRoot.Combine(project)).Descendants("AssemblyName").SingleOrDefault()?.Value
                ?? Path.GetFileNameWithoutExtension(project);
            (assemblyName + ".dll").Should().Be(assembly);
        }
    }

    [Theory]
    [InlineData("Dockerfile.serving", "src/Serving/MLPipeline.Serving.csproj")]
    [InlineData("Dockerfile.training", "src/Training/MLPipeline.Training.csproj")]
    public void Copies_every_project_and_file_the_build_needs(string name, string project)
    {
        File.Exists(RepoRoot.Combine(project)).Should().BeTrue($"{name} builds {project}");

        var build = Load(name).Stages[0].ToList();
        var restore = build.FindIndex(instruction => instruction.Keyword == "RUN" && instruction.Arguments.StartsWith("dotnet restore ", StringComparison.Ordinal));
        var copied = build.Select((instruction, index) => (instruction, index))
            .Where(entry => entry.instruction.Keyword == "COPY" && !entry.instruction.Arguments.StartsWith("--from", StringComparison.Ordinal))
            .SelectMany(entry => entry.instruction.Words.SkipLast(1).Select(source => (Source: source, BeforeRestore: entry.index < restore)))
            .ToList();

        foreach (var csproj in ProjectClosure(project))
        {
            copied.Should().Contain((csproj, true), $"{name} restores {csproj}, so it copies it before restore");
            copied.Should().Contain(entry => entry.Source == Path.GetDirectoryName(csproj)!.Replace('\\', '/') + "/", $"{name} builds the sources of {csproj}");
            foreach (var outside in FilesOutsideProject(csproj))
            {
                copied.Should().Contain(entry => entry.BeforeRestore && (entry.Source == outside || outside.StartsWith(entry.Source, StringComparison.Ordinal)),
                    $"{csproj} includes {outside}, which the build needs");
            }
        }
    }

    /// <summary>The project and every project it references, transitively, as repository paths.</summary>
    private static IEnumerable<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
        {
            if (!seen.Add(current))
            {
                continue;
            }

            foreach (var reference in ItemIncludes(current).Where(item => item.Kind == "ProjectReference"))
            {
                pending.Push(reference.Path);
            }
        }

        return seen;
    }

    /// <summary>Non-project items a project includes from outside its own folder (e.g. the embedded spec schema).</summary>
    private static IEnumerable<string> FilesOutsideProject(string csproj)
    {
        var folder = Path.GetDirectoryName(csproj)!.Replace('\\', '/') + "/";
        return ItemIncludes(csproj).Where(item => item.Kind != "ProjectReference" && !item.Path.StartsWith(folder, StringComparison.Ordinal)).Select(item => item.Path);
    }

    private static IEnumerable<(string Kind, string Path)> ItemIncludes(string csproj)
    {
        var folder = Path.GetDirectoryName(RepoRoot.Combine(csproj))!;
        return XDocument.Load(RepoRoot.Combine(csproj)).Descendants()
            .Where(element => element.Parent?.Name.LocalName == "ItemGroup" && element.Attribute("Include") is not null)
            .Where(element => element.Name.LocalName is not ("PackageReference" or "Using" or "InternalsVisibleTo" or "AssemblyAttribute"))
            .Select(element => (element.Name.LocalName, Path.GetRelativePath(RepoRoot.Path, Path.GetFullPath(Path.Combine(folder, element.Attribute("Include")!.Value.Replace('\\', '/')))).Replace('\\', '/')));
    }

    [Fact]
    public void Docker_context_leaves_out_build_output_and_git_but_keeps_what_the_Dockerfiles_copy()
    {
        var ignored = File.ReadAllLines(RepoRoot.Combine(".dockerignore")).Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith('#')).ToList();
        ignored.Should().Contain(["**/bin/", "**/obj/", ".git/"]);

        var copied = Dockerfile.All.Select(Dockerfile.Load).SelectMany(dockerfile => dockerfile.Instructions)
            .Where(instruction => instruction.Keyword == "COPY" && !instruction.Arguments.StartsWith("--from", StringComparison.Ordinal))
            .SelectMany(instruction => instruction.Words.SkipLast(1))
            .Select(source => source.Split('/')[0])
            .Distinct();
        foreach (var top in copied)
        {
            ignored.Should().NotContain([top, top + "/", "/" + top, "/" + top + "/"], $"the Dockerfiles copy {top}");
        }
    }

    private static Dockerfile Load(string name) => Dockerfile.Load(Path.Combine(RepoRoot.DeployAzure, name));
}
