namespace MLPipeline.TestSupport;

/// <summary>The repository root (the folder holding MLPipeline.sln), found from the test's output directory, and its bundled specs and data.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    public static string Tests => System.IO.Path.Combine(Path, "tests");

    public static string Pipelines => System.IO.Path.Combine(Path, "pipelines");

    /// <summary>A bundled data set: data/<paramref name="file"/>.</summary>
    public static string Data(string file) => System.IO.Path.Combine(Path, "data", file);

    /// <summary>A bundled spec: pipelines/<paramref name="name"/>.json.</summary>
    public static string Spec(string name) => System.IO.Path.Combine(Pipelines, name + ".json");

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
