using System.Diagnostics;
using System.Text;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests.Rollout;

/// <summary>The real service as its own process (one replica), on a free loopback port, its log kept for a failing test's message.</summary>
public sealed class ReplicaProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private ReplicaProcess(Process process, int port)
    {
        _process = process;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Client { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static Task<ReplicaProcess> StartAsync(IReadOnlyDictionary<string, string> settings) =>
        LoopbackPorts.StartOnFreePortAsync(port => StartAsync(port, settings));

    private static async Task<ReplicaProcess> StartAsync(int port, IReadOnlyDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "MLPipeline.Serving.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__MLPipeline.Serving.Rollout"] = "Information";
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        var replica = new ReplicaProcess(Process.Start(start)!, port);
        replica._process.OutputDataReceived += (_, e) => replica.Append(e.Data);
        replica._process.ErrorDataReceived += (_, e) => replica.Append(e.Data);
        replica._process.BeginOutputReadLine();
        replica._process.BeginErrorReadLine();
        bool live;
        try
        {
            live = await Eventually.ValueAsync(replica.AnswersLiveAsync, answered => answered || replica._process.HasExited, TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException)
        {
            live = false;
        }

        if (live)
        {
            return replica;
        }

        var log = replica.Log;
        await replica.DisposeAsync();
        throw log.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
            ? new PortInUseException(port)
            : new TimeoutException("The service did not start:\n" + log);
    }

    private async Task<bool> AnswersLiveAsync()
    {
        try
        {
            using var response = await Client.GetAsync(new Uri("/healthz/live", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
