using MLPipeline.TestSupport;

namespace MLPipeline.Training.Tests;

/// <summary>Finds the repository's own folders (pipelines/, data/) from the test's output directory.</summary>
public static class RepoPaths
{
    public static string Root => RepositoryRoot.Path;

    public static string Pipelines => Path.Combine(Root, "pipelines");

    public static string Data => Path.Combine(Root, "data");

    public static string Spec(string name) => Path.Combine(Pipelines, name + ".json");
}
