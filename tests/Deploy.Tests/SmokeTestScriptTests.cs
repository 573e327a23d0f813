using System.Net;
using System.Net.Sockets;

namespace MLPipeline.Deploy.Tests;

/// <summary>smoke-test.sh against a real HTTP server on loopback that plays the service's health routes.</summary>
public sealed class SmokeTestScriptTests
{
    private static readonly string Script = Path.Combine(RepoRoot.AzurePipelines, "scripts", "smoke-test.sh");

    [Fact]
    public async Task Passes_once_the_service_becomes_ready()
    {
        // Not ready for the first two checks (models still loading), then ready.
        await using var server = HealthServer.Start(readyAfter: 2);

        var result = RunScript(server.BaseUrl, attempts: 5);

        result.ExitCode.Should().Be(0, result.Output);
        result.StandardOutput.Should().Contain("smoke test passed").And.Contain("attempt 3");
        server.Paths.Should().Contain(["/healthz/live", "/healthz/ready"]);
    }

    [Fact]
    public async Task Fails_when_the_service_never_becomes_ready()
    {
        await using var server = HealthServer.Start(readyAfter: int.MaxValue);

        var result = RunScript(server.BaseUrl, attempts: 2);

        result.ExitCode.Should().Be(1);
        result.StandardError.Should().Contain($"{server.BaseUrl} was not live and ready after 2 attempts");
    }

    [Fact]
    public void Fails_when_nothing_listens()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var result = RunScript($"http://127.0.0.1:{port}", attempts: 1);

        result.ExitCode.Should().Be(1);
    }

    private static ProcessResult RunScript(string url, int attempts) =>
        ProcessRunner.Run("bash", [Script, url, attempts.ToString(System.Globalization.CultureInfo.InvariantCulture)], RepoRoot.Path,
            new Dictionary<string, string> { ["SMOKE_INTERVAL_SECONDS"] = "0" });

    /// <summary>/healthz/live always 200; /healthz/ready 503 for the first N asks, then 200.</summary>
    private sealed class HealthServer : IAsyncDisposable
    {
        private readonly HttpListener listener;
        private readonly Task loop;
        private readonly int readyAfter;
        private int readyAsks;

        private HealthServer(HttpListener listener, string baseUrl, int readyAfter)
        {
            this.listener = listener;
            this.readyAfter = readyAfter;
            BaseUrl = baseUrl;
            loop = Task.Run(ServeAsync);
        }

        public string BaseUrl { get; }

        public System.Collections.Concurrent.ConcurrentQueue<string> Paths { get; } = new();

        public static HealthServer Start(int readyAfter)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();

            var baseUrl = $"http://127.0.0.1:{port}";
            var listener = new HttpListener();
            listener.Prefixes.Add(baseUrl + "/");
            listener.Start();
            return new HealthServer(listener, baseUrl, readyAfter);
        }

        public async ValueTask DisposeAsync()
        {
            listener.Stop();
            listener.Close();
            await loop.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        private async Task ServeAsync()
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                var path = context.Request.Url!.AbsolutePath;
                Paths.Enqueue(path);
                context.Response.StatusCode = path switch
                {
                    "/healthz/live" => 200,
                    "/healthz/ready" => Interlocked.Increment(ref readyAsks) > readyAfter ? 200 : 503,
                    _ => 404,
                };
                context.Response.Close();
            }
        }
    }
}
