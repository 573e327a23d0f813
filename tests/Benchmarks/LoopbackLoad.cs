using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MLPipeline.Benchmarks;

/// <summary>
/// Benchmark 2: the serving app as its own process on loopback, driven by one closed-loop load generator (N connections,
/// each sending its next request when the last answer arrives). The same run measures the single-row predict route and
/// the app's bare <c>POST /baseline</c> (constant JSON, same middleware), so the ratio isolates what prediction adds.
/// </summary>
internal static class LoopbackLoad
{
    public static async Task<int> RunAsync(int connections, TimeSpan duration, TimeSpan warmup, string servingDll)
    {
        var manifest = BenchmarkModel.Manifest();
        var body = BenchmarkModel.SingleRowBody(manifest);
        var port = ServingProcess.FreePort();
        using var server = ServingProcess.Start(servingDll, port, new Dictionary<string, string>
        {
            ["Serving__Store"] = BenchmarkModel.StoreLocation,
            ["Serving__Models__0"] = BenchmarkModel.Name,
            ["Serving__BaselineEndpoint"] = "true",
        });
        try
        {
            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseProxy = false })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            };
            await ServingProcess.WaitReadyAsync(client);

            var predictPath = $"/models/{manifest.Name}/predict";
            Console.WriteLine($"Model {manifest.Name} version {manifest.Version}; {connections} connections, warm-up {warmup.TotalSeconds}s, {duration.TotalSeconds}s per route.");
            await MeasureAsync(client, "/baseline", body, connections, warmup);
            await MeasureAsync(client, predictPath, body, connections, warmup);
            // Two alternating rounds, so drift in the machine's load shows instead of favouring one route.
            var errors = 0;
            Console.WriteLine();
            Console.WriteLine("| round | route | requests | errors | throughput (req/s) | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) |");
            Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
            var summary = new List<string>();
            for (var round = 1; round <= 2; round++)
            {
                var baseline = await MeasureAsync(client, "/baseline", body, connections, duration);
                var predict = await MeasureAsync(client, predictPath, body, connections, duration);
                Console.WriteLine($"| {round} " + baseline.Row("POST /baseline (constant JSON)"));
                Console.WriteLine($"| {round} " + predict.Row($"POST {predictPath} (1 row)"));
                summary.Add(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}: predict / baseline throughput {predict.Throughput / baseline.Throughput:F2} (target >= 0.70); predict p99 {predict.Percentile(0.99):F2} ms, baseline p99 {baseline.Percentile(0.99):F2} ms (target <= 2 ms)"));
                errors += predict.Errors + baseline.Errors;
            }

            Console.WriteLine();
            summary.ForEach(Console.WriteLine);
            return errors == 0 ? 0 : 1;
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task<LoadResult> MeasureAsync(HttpClient client, string path, byte[] body, int connections, TimeSpan duration)
    {
        var latencies = new List<double>[connections];
        var errors = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, connections).Select(async worker =>
        {
            var mine = latencies[worker] = new List<double>(100_000);
            while (clock.Elapsed < duration)
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new("application/json");
                var started = Stopwatch.GetTimestamp();
                using var response = await client.PostAsync(path, content);
                await response.Content.ReadAsByteArrayAsync();
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }).ToList();
        await Task.WhenAll(workers);
        var elapsed = clock.Elapsed;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new LoadResult(all, errors, elapsed);
    }

    private sealed record LoadResult(double[] Latencies, int Errors, TimeSpan Elapsed)
    {
        public double Throughput => Latencies.Length / Elapsed.TotalSeconds;

        public double Percentile(double p) => Latencies.Length == 0 ? double.NaN : Latencies[Math.Min(Latencies.Length - 1, (int)Math.Ceiling(p * Latencies.Length) - 1)];

        public string Row(string name) => string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {Latencies.Length} | {Errors} | {Throughput:F0} | {Percentile(0.5):F2} | {Percentile(0.9):F2} | {Percentile(0.99):F2} | {Latencies[^1]:F2} |");
    }
}
