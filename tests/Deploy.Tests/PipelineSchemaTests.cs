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

    [Fact]
    public void Schema_check_catches_a_misplaced_key_and_an_unknown_task()
    {
        var folder = Directory.CreateTempSubdirectory("pipeline-schema-");
        try
        {
            var path = Path.Combine(folder.FullName, "broken.yml");
            File.WriteAllText(path, """
                steps:
                  - script: echo hello
                    displayNmae: a misspelt key
                  - task: NoSuchTask@9
                """);

            var errors = PipelineSchema.Validate(PipelineFile.Load(path));

            errors.Should().NotBeEmpty();
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
