using MLPipeline.TestSupport;

namespace MLPipeline.Deploy.Tests;

/// <summary>The deploy tests' scripts and CLIs, run through the tests' one process runner.</summary>
public static class ProcessRunner
{
    public static ExternalTool.Result Run(string fileName, IEnumerable<string> arguments, string workingDirectory, IDictionary<string, string>? environment = null, TimeSpan? timeout = null) =>
        ExternalTool.Run(fileName, arguments, workingDirectory, timeout ?? TimeSpan.FromMinutes(2),
            environment?.Select(e => KeyValuePair.Create(e.Key, (string?)e.Value)));
}
