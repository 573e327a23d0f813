using System.Diagnostics;
using System.Text;

namespace MLPipeline.TestSupport;

/// <summary>
/// Runs a command line tool to its end, with its standard output and error kept apart, within a time limit: the one
/// process runner of the tests. The child's environment is the test process's without the variables that make a
/// tool act on a real pipeline or store (<see cref="Scrubbed"/>), then the caller's; on timeout the child and its
/// children are killed.
/// </summary>
public static class ExternalTool
{
    /// <summary>
    /// TF_BUILD makes the console write Azure DevOps commands and copy reports into the artifact folder, and
    /// MLPIPELINE_STORE names its default store: a suite run inside a pipeline must act on neither.
    /// </summary>
    public static readonly IReadOnlyList<string> Scrubbed = ["TF_BUILD", "MLPIPELINE_STORE", "BUILD_ARTIFACTSTAGINGDIRECTORY"];

    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public string Output => StdOut + StdErr;

        public override string ToString() => $"exit {ExitCode}{Environment.NewLine}{StdOut}{Environment.NewLine}{StdErr}";
    }

    /// <param name="environment">Variables to set for the child (a null value removes the variable).</param>
    /// <param name="start">Starts the process (e.g. <see cref="NodePackages.Start"/>, which says what to install when the tool is missing).</param>
    public static async Task<Result> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        string workingDirectory,
        TimeSpan timeout,
        IEnumerable<KeyValuePair<string, string?>>? environment = null,
        Func<ProcessStartInfo, Process>? start = null)
    {
        var startInfo = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in Scrubbed)
        {
            startInfo.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? [])
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        using var process = start is null
            ? Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start '{fileName}'.")
            : start(startInfo);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{fileName} {string.Join(' ', startInfo.ArgumentList)}' did not finish within {timeout}; it was killed.");
        }

        // WaitForExitAsync also waits for the redirected streams to end.
        lock (stdout)
        {
            lock (stderr)
            {
                return new Result(process.ExitCode, stdout.ToString(), stderr.ToString());
            }
        }
    }

    /// <summary>The same, for synchronous tests (the run does not need the test's synchronization context).</summary>
    public static Result Run(
        string fileName,
        IEnumerable<string> arguments,
        string workingDirectory,
        TimeSpan timeout,
        IEnumerable<KeyValuePair<string, string?>>? environment = null) =>
        RunAsync(fileName, arguments, workingDirectory, timeout, environment).GetAwaiter().GetResult();

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }
}
