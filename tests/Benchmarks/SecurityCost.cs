using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;

namespace MLPipeline.Benchmarks;

/// <summary>
/// What security costs a predict request, in process: the real serving app (Program) behind an in-memory test server,
/// configured three ways (no key; the shipped defaults with one API key; one key and the per-caller rate limiter), one
/// request at a time, batches of every configuration interleaved in a shuffled order per round. The differences
/// between configurations are what authentication, authorization and the limiter add; the test server's own cost is
/// the same in all three, so only differences and ratios mean something.
/// </summary>
internal static class SecurityCost
{
    private const string ApiKey = "security-cost-benchmark-key-01";

    public static async Task<int> RunAsync(int rounds, int batch)
    {
        var manifest = BenchmarkModel.Manifest();
        var body = BenchmarkModel.SingleRowBody(manifest);
        var predict = $"/models/{manifest.Name}/predict";
        var key = new Dictionary<string, string?>
        {
            ["Serving:ApiKeys:0:Id"] = "benchmark",
            ["Serving:ApiKeys:0:Key"] = ApiKey,
            ["Serving:ApiKeys:0:Role"] = "predict",
        };
        var configurations = new (string Name, Dictionary<string, string?> Settings, bool SendKey)[]
        {
            ("no key", [], false),
            ("shipped defaults + 1 API key", key, true),
            ("1 API key + per-caller rate limiter", new(key) { ["Serving:RateLimit:PermitsPerSecond"] = "1000000000" }, true),
        };
        // The serving app's appsettings.json sits beside this benchmark's own files.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_MLPIPELINE_SERVING", AppContext.BaseDirectory);
        var apps = configurations.Select(c => new App(c.Settings)).ToList();
        try
        {
            var servers = new List<TestServer>();
            foreach (var app in apps)
            {
                var client = app.CreateClient();
                while ((await client.GetAsync("/healthz/ready")).StatusCode != System.Net.HttpStatusCode.OK)
                {
                    await Task.Delay(100);
                }

                servers.Add(app.Server);
            }

            async Task<double> RunBatchAsync(int index, int count)
            {
                var started = Stopwatch.GetTimestamp();
                for (var i = 0; i < count; i++)
                {
                    var context = await servers[index].SendAsync(http =>
                    {
                        http.Request.Method = "POST";
                        http.Request.Path = predict;
                        http.Request.ContentType = "application/json";
                        http.Request.ContentLength = body.Length;
                        http.Request.Body = new MemoryStream(body, writable: false);
                        if (configurations[index].SendKey)
                        {
                            http.Request.Headers["X-Api-Key"] = ApiKey;
                        }
                    });
                    if (context.Response.StatusCode != 200)
                    {
                        throw new InvalidOperationException($"{configurations[index].Name}: status {context.Response.StatusCode}");
                    }
                }

                return Stopwatch.GetElapsedTime(started).TotalMicroseconds / count;
            }

            for (var index = 0; index < apps.Count; index++)
            {
                await RunBatchAsync(index, 30_000);
            }

            var times = configurations.Select(_ => new List<double>()).ToArray();
            var random = new Random(14);
            for (var round = 0; round < rounds; round++)
            {
                foreach (var index in Enumerable.Range(0, apps.Count).OrderBy(_ => random.Next()))
                {
                    times[index].Add(await RunBatchAsync(index, batch));
                }
            }

            Console.WriteLine($"{rounds} rounds x {batch} sequential requests per configuration, interleaved; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            Console.WriteLine();
            Console.WriteLine("| configuration | median (us per request) | p10 | p90 | median added to 'no key' (us) |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            for (var index = 0; index < apps.Count; index++)
            {
                var sorted = times[index].Order().ToList();
                var added = times[index].Zip(times[0], (a, b) => a - b).Order().ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {configurations[index].Name} | {At(sorted, 0.5):F2} | {At(sorted, 0.1):F2} | {At(sorted, 0.9):F2} | {At(added, 0.5):F2} |"));
            }

            return 0;
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.DisposeAsync();
            }
        }
    }

    private static double At(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    // Any type of the serving assembly names its entry point (Program is ambiguous beside the comparison apps).
    private sealed class App(Dictionary<string, string?> settings) : WebApplicationFactory<MLPipeline.Serving.Endpoints.PredictPipeline>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Serving:Store", BenchmarkModel.StoreLocation);
            builder.UseSetting("Serving:Models:0", BenchmarkModel.Name);
            foreach (var (name, value) in settings)
            {
                builder.UseSetting(name, value);
            }
        }
    }
}
