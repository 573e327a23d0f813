using MLPipeline.TestSupport;

namespace MLPipeline.Deploy.Tests;

/// <summary>The repository's root folder, found from the test's output directory (where MLPipeline.sln is).</summary>
public static class RepoRoot
{
    public static string Path => RepositoryRoot.Path;

    public static string Combine(string relativePath) => System.IO.Path.Combine(Path, relativePath.Replace('/', System.IO.Path.DirectorySeparatorChar));

    public static string DeployAzure => Combine("deploy/azure");

    public static string AzurePipelines => Combine("pipelines/azure-devops");
}
