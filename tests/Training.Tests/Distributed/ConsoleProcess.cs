using System.Diagnostics;
using MLPipeline.TestSupport;

namespace MLPipeline.Training.Tests.Distributed;

/// <summary>The real console as a long-running process (a worker, or a coordinator to kill), its output kept line by line.</summary>
public sealed class ConsoleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    private ConsoleProcess(Process process) => _process = process;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public string Output => string.Join(Environment.NewLine, Lines);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static ConsoleProcess Start(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot.Path,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mlpipeline.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["COLUMNS"] = "250";
        start.Environment["NO_COLOR"] = "1";
        foreach (var name in ExternalTool.Scrubbed)
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var console = new ConsoleProcess(process);
        process.OutputDataReceived += (_, e) => console.Add(e.Data);
        process.ErrorDataReceived += (_, e) => console.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return console;
    }

    /// <summary>Waits for a line of output that matches, or fails with the output so far (at once if the process ended without one).</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        string? line = null;
        try
        {
            line = await Eventually.ValueAsync(() => Task.FromResult(Lines.FirstOrDefault(match)), found => found is not null || _process.HasExited, timeout);
        }
        catch (TimeoutException)
        {
        }

        // One more look: the process may have written the line just before it ended.
        return line ?? Lines.FirstOrDefault(match)
            ?? throw new TimeoutException($"No matching line within {timeout.TotalSeconds} s (exited: {_process.HasExited}):{Environment.NewLine}{Output}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>Kills the process at once, as an evicted replica or an out-of-memory kill would end it.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }
}
