namespace MLPipeline.Deploy.Tests;

public sealed class ShellScriptTests
{
    public static TheoryData<string> Scripts() => new(Directory.EnumerateFiles(Path.Combine(RepoRoot.AzurePipelines, "scripts"), "*.sh").Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_is_valid_bash_strict_and_executable(string name)
    {
        var path = Path.Combine(RepoRoot.AzurePipelines, "scripts", name);

        var syntax = ProcessRunner.Run("bash", ["-n", path], RepoRoot.Path);

        syntax.ExitCode.Should().Be(0, syntax.Output);
        File.ReadAllText(path).Should().StartWith("#!/usr/bin/env bash").And.Contain("set -euo pipefail");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).Should().HaveFlag(UnixFileMode.UserExecute, "pipelines run it directly");
        }
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_without_arguments_prints_its_usage_and_exits_64(string name)
    {
        var result = ProcessRunner.Run("bash", [Path.Combine(RepoRoot.AzurePipelines, "scripts", name)], RepoRoot.Path);

        result.ExitCode.Should().Be(64);
        result.StdErr.Should().StartWith("usage: " + name);
    }
}
