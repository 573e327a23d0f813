using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Training.Runs;

/// <summary>Where a model came from: spec, commit, library and runtime versions.</summary>
public static class Lineage
{
    public static LineageInfo Describe(string specPath) => new(
        Path.GetFileName(specPath),
        GitCommit(Path.GetDirectoryName(specPath) ?? "."),
        typeof(MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? typeof(MLContext).Assembly.GetName().Version?.ToString() ?? "unknown",
        RuntimeInformation.FrameworkDescription,
        Environment.MachineName);

    /// <summary>The pipeline's commit when running in Azure DevOps, else the working tree's HEAD, else null.</summary>
    private static string? GitCommit(string directory)
    {
        var fromPipeline = Environment.GetEnvironmentVariable("BUILD_SOURCEVERSION");
        if (!string.IsNullOrEmpty(fromPipeline))
        {
            return fromPipeline;
        }

        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", "rev-parse HEAD")
            {
                WorkingDirectory = directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (git is null)
            {
                return null;
            }

            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit(5000);
            return git.ExitCode == 0 && output.Length == 40 ? output : null;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }
}
