using System.Text.Json.Nodes;

namespace MLPipeline.Deploy.Tests;

/// <summary>
/// Runs the Bicep CLI once per test run (each call takes seconds): lint every .bicep file under
/// deploy/azure, compile main.bicep to ARM JSON and compile main.bicepparam against it.
/// </summary>
public sealed class BicepBuildFixture
{
    public BicepBuildFixture()
    {
        Lint = BicepCli.Run(RepoRoot.DeployAzure, "lint", "--pattern", "**/*.bicep");
        Build = BicepCli.Run(RepoRoot.DeployAzure, "build", "main.bicep", "--stdout");
        BuildParams = BicepCli.Run(RepoRoot.DeployAzure, "build-params", "main.bicepparam", "--stdout");
        Template = Build.ExitCode == 0 ? JsonNode.Parse(Build.StdOut)!.AsObject() : null;
    }

    public ExternalTool.Result Lint { get; }

    public ExternalTool.Result Build { get; }

    public ExternalTool.Result BuildParams { get; }

    /// <summary>The compiled main.bicep, or null when it did not build.</summary>
    public JsonObject? Template { get; }

    public ArmScope Main => ArmScope.Root(Template ?? throw new InvalidOperationException("main.bicep did not build:\n" + Build.Output));
}

[CollectionDefinition(Name)]
public sealed class BicepGroup : ICollectionFixture<BicepBuildFixture>
{
    public const string Name = "bicep";
}
