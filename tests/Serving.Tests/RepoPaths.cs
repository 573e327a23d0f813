using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests;

/// <summary>Finds the repository's own folders (pipelines/, data/) from the test's output directory.</summary>
public static class RepoPaths
{
    public static string Root => RepositoryRoot.Path;

    public static string Data(string file) => Path.Combine(Root, "data", file);

    public static string Spec(string name) => Path.Combine(Root, "pipelines", name + ".json");
}
