using System.Runtime.CompilerServices;

namespace MLPipeline.Training.Tests;

/// <summary>
/// The console reads TF_BUILD (Azure DevOps: ##vso commands, reports copied to the artifact folder) and
/// MLPIPELINE_STORE (the default store) from the process environment. Commands run in-process here, so the test
/// process drops both before any test runs, as CliRunner does for child processes: a suite run under Azure DevOps
/// neither writes pipeline commands nor copies reports into the real pipeline's artifacts.
/// </summary>
internal static class TestEnvironment
{
    public static readonly string[] Scrubbed = ["TF_BUILD", "MLPIPELINE_STORE", "BUILD_ARTIFACTSTAGINGDIRECTORY"];

    [ModuleInitializer]
    internal static void Scrub()
    {
        foreach (var name in Scrubbed)
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }
}
