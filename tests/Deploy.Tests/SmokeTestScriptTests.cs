using System.Net;
using System.Net.Sockets;

namespace MLPipeline.Deploy.Tests;

/// <summary>smoke-test.sh against a real HTTP server on loopback that plays the service's health routes and its API key checks.</summary>
public sealed class SmokeTestScriptTests
{
    private const string PredictKey = "predict-key-0123456789abcdef";
    private static readonly string Script = Path.Combine(RepoRoot.AzurePipelines, "scripts", "smoke-test.sh");

    [Fact]
    public async Task Passes_once_the_service_becomes_ready_and_the_keys_guard_it()
    {
        // Not ready for the first two checks (models still loading), then ready.
        await using var server = ServiceDouble.Start(readyAfter: 2, Guard.Keys);

        var result = RunScript(server.BaseUrl, attempts: 5);

        result.ExitCode.Should().Be(0, result.Output);
        result.StdOut.Should().Contain("smoke test passed").And.Contain("attempt 3");
        result.Output.Should().NotContain(PredictKey);
        server.Requests.Should().Contain([("/healthz/live", null), ("/healthz/ready", null)]);
        server.Requests.Should().Contain([
            ("/models/smoke-test-probe/predict", null),
            ("/models/smoke-test-probe/predict", PredictKey),
            ("/models/smoke-test-probe/reload", PredictKey),
        ]);
    }

    [Theory]
    [InlineData(Guard.None, "POST /models/smoke-test-probe/predict without a key answered 404, not 401")]
    [InlineData(Guard.OtherKey, "POST /models/smoke-test-probe/predict with the predict key answered 401")]
    [InlineData(Guard.PredictKeyIsAdmin, "POST /models/smoke-test-probe/reload with the predict key answered 404, not 403")]
    public async Task Fails_when_the_keys_do_not_guard_the_service_as_they_should(Guard guard, string error)
    {
        await using var server = ServiceDouble.Start(readyAfter: 0, guard);

        var result = RunScript(server.BaseUrl, attempts: 1);

        result.ExitCode.Should().Be(1, result.Output);
        result.StdErr.Should().Contain(error);
    }

    [Fact]
    public async Task Fails_when_the_service_never_becomes_ready()
    {
        await using var server = ServiceDouble.Start(readyAfter: int.MaxValue, Guard.Keys);

        var result = RunScript(server.BaseUrl, attempts: 2);

        result.ExitCode.Should().Be(1);
        result.StdErr.Should().Contain($"{server.BaseUrl} was not live and ready after 2 attempts");
    }

    [Fact]
    public void Fails_when_nothing_listens()
    {
        using var nothing = new RefusingListener();

        var result = RunScript($"http://127.0.0.1:{nothing.Port}", attempts: 1);

        result.ExitCode.Should().Be(1);
    }

    [Fact]
    public void Refuses_to_run_without_the_predict_key()
    {
        var result = ProcessRunner.Run("bash", [Script, "http://127.0.0.1:1"], RepoRoot.Path, new Dictionary<string, string> { ["SMOKE_API_KEY"] = string.Empty });

        result.ExitCode.Should().Be(64);
        result.StdErr.Should().Contain("SMOKE_API_KEY");
    }

    public enum Guard
    {
        /// <summary>Predict routes want any valid key (401 otherwise); admin routes want the admin key (403 for the predict key).</summary>
        Keys,

        /// <summary>No auth at all: every call goes through.</summary>
        None,

        /// <summary>Keys checked, but the predict key the script sends is not one of them.</summary>
        OtherKey,

        /// <summary>Keys checked, but the predict key may also reload models.</summary>
        PredictKeyIsAdmin,
    }

    private static ExternalTool.Result RunScript(string url, int attempts) =>
        ProcessRunner.Run("bash", [Script, url, attempts.ToString(System.Globalization.CultureInfo.InvariantCulture)], RepoRoot.Path,
            new Dictionary<string, string> { ["SMOKE_INTERVAL_SECONDS"] = "0", ["SMOKE_API_KEY"] = PredictKey });


    /// <summary>
    /// /healthz/live always 200; /healthz/ready 503 for the first N asks, then 200; POST /models/{name}/predict and
    /// /models/{name}/reload answered per <see cref="Guard"/>, 404 (no such model) once let through.
    /// </summary>
    private sealed class ServiceDouble : IAsyncDisposable
    {
        private readonly HttpListener listener;
        private readonly Task loop;
        private readonly int readyAfter;
        private readonly Guard guard;
        private int readyAsks;

        private ServiceDouble(HttpListener listener, string baseUrl, int readyAfter, Guard guard)
        {
            this.listener = listener;
            this.readyAfter = readyAfter;
            this.guard = guard;
            BaseUrl = baseUrl;
            loop = Task.Run(ServeAsync);
        }

        public string BaseUrl { get; }

        /// <summary>Path and X-Api-Key of every request.</summary>
        public System.Collections.Concurrent.ConcurrentQueue<(string Path, string? Key)> Requests { get; } = new();

        public static ServiceDouble Start(int readyAfter, Guard guard)
        {
            return LoopbackPorts.StartOnFreePort(port =>
            {
                var baseUrl = $"http://127.0.0.1:{port}";
                var listener = new HttpListener();
                listener.Prefixes.Add(baseUrl + "/");
                try
                {
                    listener.Start();
                }
                catch (HttpListenerException ex)
                {
                    listener.Close();
                    throw new PortInUseException(port, ex);
                }

                return new ServiceDouble(listener, baseUrl, readyAfter, guard);
            });
        }

        public async ValueTask DisposeAsync()
        {
            // Close alone: on Linux, Stop then Close unregisters the port twice, and the second time binds it again to look
            // it up, failing with "address already in use" when another test has taken the port meanwhile.
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
                var key = context.Request.Headers["X-Api-Key"];
                Requests.Enqueue((path, key));
                context.Response.StatusCode = path switch
                {
                    "/healthz/live" => 200,
                    "/healthz/ready" => Interlocked.Increment(ref readyAsks) > readyAfter ? 200 : 503,
                    _ when path.EndsWith("/predict", StringComparison.Ordinal) => Authorize(key, adminRoute: false),
                    _ when path.EndsWith("/reload", StringComparison.Ordinal) => Authorize(key, adminRoute: true),
                    _ => 404,
                };
                context.Response.Close();
            }
        }

        private int Authorize(string? key, bool adminRoute)
        {
            var validKey = guard == Guard.OtherKey ? "another-key-0123456789abcdef" : PredictKey;
            return guard switch
            {
                Guard.None => 404,
                _ when key != validKey => 401,
                _ when adminRoute && guard != Guard.PredictKeyIsAdmin => 403,
                _ => 404,
            };
        }
    }
}
