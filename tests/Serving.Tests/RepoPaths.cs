using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// The old name of <see cref="RepositoryRoot"/>'s bundled data and specs, left only for the rollout tests (their owner
/// switches them over); everything else uses RepositoryRoot.
/// </summary>
public static class RepoPaths
{
    public static string Root => RepositoryRoot.Path;

    public static string Data(string file) => RepositoryRoot.Data(file);

    public static string Spec(string name) => RepositoryRoot.Spec(name);
}
