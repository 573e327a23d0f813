using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace MLPipeline.TestSupport;

/// <summary>
/// The npm packages the tests run (tests/package.json, pinned by tests/package-lock.json): installed with
/// <c>npm ci</c> on first use. Node.js is a prerequisite: without it the tests fail and say so, never skip.
/// </summary>
public static class NodePackages
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    public static string Folder => System.IO.Path.Combine(RepositoryRoot.Tests, "node_modules");

    /// <summary>Runs <c>npm ci</c> in tests/ unless <paramref name="package"/> is already installed; returns its folder.</summary>
    public static async Task<string> EnsureInstalledAsync(string package)
    {
        var packageFolder = System.IO.Path.Combine(Folder, package);
        if (IsInstalled())
        {
            return packageFolder;
        }

        await InstallGate.WaitAsync();
        try
        {
            // Test projects run in parallel processes: a lock file keeps two npm ci runs out of the same folder.
            await using var machineLock = await MachineLock.AcquireAsync(LockPath, TimeSpan.FromMinutes(6));
            if (!IsInstalled())
            {
                var npm = await ExternalTool.RunAsync("npm", ["ci", "--no-audit", "--no-fund"], RepositoryRoot.Tests, TimeSpan.FromMinutes(5), start: Start);
                if (npm.ExitCode != 0 || !File.Exists(System.IO.Path.Combine(packageFolder, "package.json")))
                {
                    throw new InvalidOperationException($"'npm ci' in {RepositoryRoot.Tests} failed (exit {npm.ExitCode}), so '{package}' is not installed:{Environment.NewLine}{npm.Output}");
                }

                await File.WriteAllTextAsync(InstalledMarker, LockFileHash());
            }

            return packageFolder;
        }
        finally
        {
            InstallGate.Release();
        }
    }

    /// <summary>One lock per checkout, the same in every process (string.GetHashCode is randomized per process).</summary>
    private static string LockPath =>
        System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mlpipeline-npm-ci-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(RepositoryRoot.Tests)))[..16]}.lock");

    /// <summary>Written after a complete <c>npm ci</c>: the hash of the lock file it installed.</summary>
    private static string InstalledMarker => System.IO.Path.Combine(Folder, ".mlpipeline-installed");

    /// <summary>
    /// Installed means a finished <c>npm ci</c> of the current lock file: a folder that another test process is
    /// still filling, or that an older lock file produced, does not count.
    /// </summary>
    private static bool IsInstalled() =>
        File.Exists(InstalledMarker) && File.ReadAllText(InstalledMarker) == LockFileHash();

    private static string LockFileHash() =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(System.IO.Path.Combine(RepositoryRoot.Tests, "package-lock.json"))));

    /// <summary>Starts a tool, turning "not installed" into a message that says what to install.</summary>
    public static Process Start(ProcessStartInfo startInfo)
    {
        try
        {
            return Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start '{startInfo.FileName}'.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"'{startInfo.FileName}' was not found: Node.js 20+ with npm is required to run Azurite, the Azure Storage emulator that the blob store tests use, "
                + "and Redocly's OpenAPI linter. "
                + "Install Node.js (e.g. apt-get install nodejs npm) and run the tests again; they do not skip without it.",
                ex);
        }
    }
}
