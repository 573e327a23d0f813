namespace MLPipeline.Serving.Tests;

/// <summary>Finds the repository's own folders (pipelines/, data/) from the test's output directory.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Data(string file) => Path.Combine(Root, "data", file);

    public static string Spec(string name) => Path.Combine(Root, "pipelines", name + ".json");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MLPipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("MLPipeline.sln not found above " + AppContext.BaseDirectory);
    }
}
