namespace MLPipeline.Deploy.Tests;

public sealed class PipelineSchemaTests
{
    public static TheoryData<string> PipelineFiles() => new(PipelineFile.Paths.Select(path => Path.GetRelativePath(RepoRoot.AzurePipelines, path)));

    [Fact]
    public void There_are_the_ci_train_and_deploy_pipelines_and_shared_templates()
    {
        var names = PipelineFile.Paths.Select(path => Path.GetRelativePath(RepoRoot.AzurePipelines, path).Replace('\\', '/')).ToList();
        names.Should().Contain(["ci.yml", "train.yml", "deploy.yml"]);
        names.Should().Contain(name => name.StartsWith("templates/", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(PipelineFiles))]
    public void Pipeline_file_parses_and_matches_the_Azure_Pipelines_schema(string file)
    {
        var pipeline = PipelineFile.Named(file);

        var errors = PipelineSchema.Validate(pipeline);

        PipelineSchema.Describe(errors).Distinct().Should().BeEmpty();
    }

    [Theory]
    [InlineData("a misspelt key", "  - script: echo hello\n    displayNmae: a misspelt key\n", true)]
    [InlineData("an unknown task", "  - task: NoSuchTask@9\n", true)]
    [InlineData("nothing wrong", "  - script: echo hello\n    displayName: a step\n", false)]
    public void Schema_check_catches_each_planted_error_on_its_own(string what, string step, bool wrong)
    {
        // One mistake per file, and a file without one: each error is caught by itself, and a good file passes.
        var folder = Directory.CreateTempSubdirectory("pipeline-schema-");
        try
        {
            var path = Path.Combine(folder.FullName, "planted.yml");
            File.WriteAllText(path, "steps:\n" + step);

            var errors = PipelineSchema.Describe(PipelineSchema.Validate(PipelineFile.Load(path))).ToList();

            if (wrong)
            {
                errors.Should().NotBeEmpty(what);
            }
            else
            {
                errors.Should().BeEmpty(what);
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
