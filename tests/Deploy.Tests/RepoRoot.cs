namespace MLPipeline.Deploy.Tests;

/// <summary>The repository's root folder, found from the test's output directory (where MLPipeline.sln is).</summary>
public static class RepoRoot
{
    public static string Path { get; } = Find();

    public static string Combine(string relativePath) => System.IO.Path.Combine(Path, relativePath.Replace('/', System.IO.Path.DirectorySeparatorChar));

    public static string DeployAzure => Combine("deploy/azure");

    public static string AzurePipelines => Combine("pipelines/azure-devops");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "MLPipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("MLPipeline.sln not found above " + AppContext.BaseDirectory);
    }
}
