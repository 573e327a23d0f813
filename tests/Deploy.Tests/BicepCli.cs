using System.Reflection;
using System.Text.RegularExpressions;

namespace MLPipeline.Deploy.Tests;

/// <summary>
/// The Bicep CLI from the NuGet package Azure.Bicep.CommandLine.linux-x64, which restore downloads
/// (PackageDownload in the project file). NuGet does not keep the run bit, so it is set here.
/// </summary>
public static partial class BicepCli
{
    private static readonly Lazy<string> Executable = new(Locate);

    public static string Path => Executable.Value;

    public static ExternalTool.Result Run(string workingDirectory, params string[] arguments) =>
        ProcessRunner.Run(Path, arguments, workingDirectory, new Dictionary<string, string>
        {
            // Offline and quiet: no telemetry, no update checks.
            ["BICEP_TELEMETRY_ENABLED"] = "false",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        });

    /// <summary>Diagnostics lines such as <c>file(3,7) : Error BCP104: ...</c> at the given levels.</summary>
    public static IReadOnlyList<string> Diagnostics(ExternalTool.Result result, params string[] levels) =>
        result.Output.Split('\n')
            .Select(line => line.TrimEnd())
            .Where(line => DiagnosticLine().Match(line) is { Success: true } match && levels.Contains(match.Groups["level"].Value))
            .ToList();

    [GeneratedRegex(@"\(\d+,\d+\) : (?<level>Error|Warning|Info) ")]
    private static partial Regex DiagnosticLine();

    private static string Locate()
    {
        var path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "BicepCliPath").Value!;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The Bicep CLI is missing at {path}: restore the test project (it downloads Azure.Bicep.CommandLine.linux-x64).", path);
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode runBits = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            if ((mode & runBits) != runBits)
            {
                File.SetUnixFileMode(path, mode | runBits);
            }
        }

        return path;
    }
}
