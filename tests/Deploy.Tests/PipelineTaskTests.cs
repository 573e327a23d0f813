using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MLPipeline.Deploy.Tests;

public sealed partial class PipelineTaskTests
{
    /// <summary>Tasks the pipelines may use: Microsoft's in-box tasks, pinned to a major version.</summary>
    private static readonly HashSet<string> KnownTasks = new(StringComparer.Ordinal)
    {
        "UseDotNet@2",
        "DotNetCoreCLI@2",
        "AzureCLI@2",
        "PublishTestResults@2",
        "PublishCodeCoverageResults@2",
        "PublishPipelineArtifact@1",
        "DownloadPipelineArtifact@2",
        "AzureResourceManagerTemplateDeployment@3",
        "AzureContainerApps@1",
        "Bash@3",
        "CmdLine@2",
    };

    [Fact]
    public void Pipelines_use_only_known_tasks_with_versions()
    {
        var tasks = PipelineFile.All.SelectMany(file => file.Objects
                .Where(obj => obj["task"] is JsonValue)
                .Select(obj => (File: file.RelativePath, Task: (string)obj["task"]!)))
            .ToList();

        tasks.Should().NotBeEmpty();
        foreach (var (file, task) in tasks)
        {
            task.Should().MatchRegex(@"^[A-Za-z][A-Za-z0-9]*@\d+$", $"{file} pins a major version");
            KnownTasks.Should().Contain(task, file);
            if (!PipelineSchema.TasksNewerThanSchema.Contains(task))
            {
                PipelineSchema.KnownTaskNames.Should().Contain(task, $"{file}: the Azure Pipelines schema knows the task");
            }
        }
    }

    [Fact]
    public void Coverage_task_newer_than_the_schema_has_its_required_input()
    {
        var coverage = PipelineFile.All.SelectMany(file => file.Objects)
            .Where(obj => (string?)obj["task"] == "PublishCodeCoverageResults@2")
            .ToList();

        coverage.Should().NotBeEmpty();
        coverage.Should().OnlyContain(step => step["inputs"]!["summaryFileLocation"] != null);
        coverage.SelectMany(step => step["inputs"]!.AsObject().Select(input => input.Key))
            .Should().BeSubsetOf(["summaryFileLocation", "pathToSources", "failIfCoverageEmpty"]);
    }

    [Fact]
    public void Every_template_a_pipeline_uses_exists()
    {
        var uses = PipelineFile.All.SelectMany(file => file.Objects
                .Where(obj => obj["template"] is JsonValue)
                .Select(obj => (File: file, Template: (string)obj["template"]!)))
            .ToList();

        uses.Should().NotBeEmpty();
        foreach (var (file, template) in uses)
        {
            File.Exists(Path.Combine(Path.GetDirectoryName(file.FullPath)!, template)).Should().BeTrue($"{file} uses {template}");
        }
    }

    [Fact]
    public void CI_runs_the_test_command_the_README_documents_and_publishes_results_and_coverage()
    {
        var readmeCommand = File.ReadLines(RepoRoot.Combine("README.md"))
            .Select(line => line.Trim())
            .First(line => line.StartsWith("dotnet test ", StringComparison.Ordinal));
        var ci = PipelineFile.Named("ci.yml");

        ci.Strings.Select(Normalize).Should().Contain(script => script.StartsWith(readmeCommand, StringComparison.Ordinal));
        ci.Objects.Select(obj => (string?)obj["task"]).Should().Contain(["PublishTestResults@2", "PublishCodeCoverageResults@2"]);
    }

    [Fact]
    public void Pipelines_run_the_training_console_the_way_the_README_does()
    {
        var consoleTemplate = PipelineFile.Named("templates/training-console.yml");
        Normalize(consoleTemplate.Text).Should().Contain("dotnet run --project src/Training -- ${{ parameters.arguments }}");

        var commands = ConsoleArguments().ToList();
        commands.Should().Contain(arguments => TrainCommand().IsMatch(arguments), "train.yml trains a spec into the store and moves staging");
        commands.Should().Contain(arguments => RolloutStartCommand().IsMatch(arguments), "train.yml promotes through a rollout of the new version against production");
        commands.Should().Contain(arguments => RolloutWaitCommand().IsMatch(arguments), "the stage ends when the rollout is promoted or rolled back");
        commands.Should().Contain(arguments => RolloutStatusCommand().IsMatch(arguments), "the rollout's status is attached to the run");
        commands.Should().Contain(arguments => ListCommand().IsMatch(arguments));
        commands.Should().Contain(arguments => RollbackCommand().IsMatch(arguments));
    }

    [Fact]
    public void Promotion_to_production_runs_only_behind_an_environment()
    {
        // Approvals are configured on the environment; a deployment job is what waits for them.
        var movesProduction = PipelineFile.All.Where(file => !file.IsTemplate)
            .SelectMany(file => file.Objects.Where(obj => obj["jobs"] is JsonArray)
                .SelectMany(stage => stage["jobs"]!.AsArray().OfType<JsonObject>())
                .Where(job => job.ToJsonString().Contains("--alias production", StringComparison.Ordinal))
                .Select(job => (File: file, Job: job)))
            .ToList();

        movesProduction.Should().NotBeEmpty("train.yml moves production");
        foreach (var (file, job) in movesProduction)
        {
            job["deployment"].Should().NotBeNull($"{file}: a job that moves production must be a deployment job");
            ((string?)job["environment"]).Should().NotBeNullOrEmpty();
        }

        var promote = PipelineFile.Named("train.yml").Objects.Single(obj => (string?)obj["stage"] == "Promote");
        ((string?)promote["condition"]).Should().Contain("parameters.promote");
    }

    [Fact]
    public void Deployment_jobs_check_out_the_repository_they_run_scripts_from()
    {
        var deployments = PipelineFile.All
            .SelectMany(file => file.Objects.Where(obj => obj["deployment"] is JsonValue).Select(deployment => (File: file, Deployment: deployment)))
            .ToList();

        deployments.Should().NotBeEmpty("train.yml and deploy.yml have deployment jobs");
        foreach (var (file, deployment) in deployments)
        {
            var steps = deployment["strategy"]!["runOnce"]!["deploy"]!["steps"]!.AsArray();
            ((string?)steps[0]!["checkout"]).Should().Be("self", $"{file}: deployment jobs do not check out by default");
        }
    }

    /// <summary>The console arguments of every use of the training-console template, with parameters at their defaults.</summary>
    private static IEnumerable<string> ConsoleArguments() =>
        PipelineFile.All.Select(file => YamlJson.ToJson(YamlJson.Load(file.ExpandedParametersText()))!)
            .SelectMany(PipelineFile.Descendants).OfType<JsonObject>()
            .Where(obj => ((string?)obj["template"])?.EndsWith("templates/training-console.yml", StringComparison.Ordinal) == true)
            .Select(use => Normalize((string)use["parameters"]!["arguments"]!));

    private static string Normalize(string text) => Whitespace().Replace(text.Replace("\\\n", " ", StringComparison.Ordinal), " ").Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^train \S+ --store \S+ --alias staging\b")]
    private static partial Regex TrainCommand();

    [GeneratedRegex(@"^rollout start \S+ --candidate \S+ --alias production --mode (canary|shadow) --steps [0-9,]+ --step-time \S+ --store \S+")]
    private static partial Regex RolloutStartCommand();

    [GeneratedRegex(@"^rollout wait \S+ --timeout \S+ .*--store \S+")]
    private static partial Regex RolloutWaitCommand();

    [GeneratedRegex(@"^rollout status \S+ --store \S+")]
    private static partial Regex RolloutStatusCommand();

    [GeneratedRegex(@"^list \S+ --json\b")]
    private static partial Regex ListCommand();

    [GeneratedRegex(@"^rollback \S+ --alias production\b")]
    private static partial Regex RollbackCommand();
}
