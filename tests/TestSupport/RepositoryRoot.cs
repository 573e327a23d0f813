namespace MLPipeline.TestSupport;

/// <summary>The repository root (the folder holding MLPipeline.sln), found from the test's output directory.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    public static string Tests => System.IO.Path.Combine(Path, "tests");

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
