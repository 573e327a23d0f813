using System.Runtime.CompilerServices;
using MLPipeline.TestSupport;

namespace MLPipeline.Training.Tests;

/// <summary>
/// The console reads TF_BUILD (Azure DevOps: ##vso commands, reports copied to the artifact folder) and
/// MLPIPELINE_STORE (the default store) from the process environment. Commands run in-process here, so the test
/// process drops both before any test runs, as ExternalTool does for child processes: a suite run under Azure DevOps
/// neither writes pipeline commands nor copies reports into the real pipeline's artifacts.
/// </summary>
internal static class TestEnvironment
{
    [ModuleInitializer]
    internal static void Scrub()
    {
        foreach (var name in ExternalTool.Scrubbed)
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }
}
