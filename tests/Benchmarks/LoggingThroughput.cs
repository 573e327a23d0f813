using System.Diagnostics;

namespace MLPipeline.Benchmarks;

/// <summary>
/// What the prediction log costs: the serving app three times, monitoring house-prices at 0%, 10% and 100% of requests
/// (log files to a temporary folder store), optionally another build (before monitoring) beside them; single rows and
/// 100-row batches, wrk on loopback, interleaved rounds, ratios within a round against 0%.
/// </summary>
internal static partial class ThroughputComparison
{
    public static async Task<int> RunLoggingAsync(int connections, TimeSpan duration, int rounds, TimeSpan warmup, string? otherServingDll)
    {
        var manifest = BenchmarkModel.Manifest();
        var folder = Directory.CreateTempSubdirectory("mlpipeline-logging-").FullName;
        var script = WrkLoad.WriteScript(folder);
        var oneRow = WriteBody(folder, "one-row.json", BenchmarkModel.SingleRowBody(manifest));
        var batch = WriteBody(folder, "batch.json", BenchmarkModel.BatchBody(manifest, BatchRows));
        var loadAtStart = LoadAverage();
        var apps = new List<Process>();
        try
        {
            Dictionary<string, string> Settings(string percent) => new()
            {
                ["Serving__Store"] = BenchmarkModel.StoreLocation,
                ["Serving__Models__0"] = BenchmarkModel.Name,
                ["Serving__Monitoring__Store"] = Path.Combine(folder, $"logs-{percent}"),
                [$"Serving__Monitoring__Models__{BenchmarkModel.Name}__LogPercent"] = percent,
            };
            var running = new List<App>();
            var predict = $"/models/{manifest.Name}/predict";
            var endpoints = new List<Endpoint>();
            foreach (var percent in new[] { "0", "10", "100" })
            {
                var app = Start(apps, "MLPipeline.Serving.dll", Settings(percent));
                running.Add(app);
                endpoints.Add(new($"log{percent}", $"service, {percent}% logged", app, predict, oneRow, [], 1));
                endpoints.Add(new($"log{percent}-batch", $"service, {percent}% logged, {BatchRows} rows", app, predict, batch, [], BatchRows));
            }

            if (otherServingDll is not null)
            {
                var other = Start(apps, otherServingDll, Settings("0"));
                running.Add(other);
                endpoints.Add(new("other", $"other build ({otherServingDll})", other, predict, oneRow, [], 1));
                endpoints.Add(new("other-batch", $"other build, {BatchRows} rows", other, predict, batch, [], BatchRows));
            }

            using var client = new HttpClient();
            foreach (var app in running)
            {
                await app.WaitReadyAsync(client);
            }

            Console.WriteLine($"Model {manifest.Name} {manifest.Version} ({manifest.Trainer.Name}); wrk -t1 -c{connections}, {duration.TotalSeconds:0} s per endpoint per round, {rounds} rounds, {warmup.TotalSeconds:0} s warm-up each.");
            Console.WriteLine($"Machine: {Machine()}; load average at start {loadAtStart}.");
            foreach (var endpoint in endpoints)
            {
                await endpoint.RunAsync(script, connections, warmup);
            }

            var results = endpoints.ToDictionary(e => e.Id, _ => new List<Measurement>());
            var random = new Random(16);
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var endpoint in endpoints.OrderBy(_ => random.Next()).ToList())
                {
                    results[endpoint.Id].Add(await endpoint.RunAsync(script, connections, duration));
                }
            }

            double Ratio(string id, string reference) => Median(results[id].Zip(results[reference], (a, b) => a.Throughput / b.Throughput));

            // The server's CPU per request barely moves with the rest of the machine's load: the steadier comparison.
            double CpuRatio(string id, string reference) => Median(results[id].Zip(results[reference], (a, b) => a.CpuMicrosecondsPerRequest / b.CpuMicrosecondsPerRequest));

            Console.WriteLine($"Load average at end {LoadAverage()}.");
            Console.WriteLine();
            Console.WriteLine("| endpoint | rows per request | requests/s | rows/s | p50 (ms) | p99 (ms) | errors | throughput x 0% logged | server CPU per request (us) | CPU x 0% logged |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var endpoint in endpoints)
            {
                var runs = results[endpoint.Id];
                var throughput = Median(runs.Select(r => r.Throughput));
                var reference = endpoint.Rows > 1 ? "log0-batch" : "log0";
                Console.WriteLine(Invariant(
                    $"| {endpoint.Label} | {endpoint.Rows} | {throughput:F0} | {throughput * endpoint.Rows:F0} | {Median(runs.Select(r => r.P50)):F2} | {Median(runs.Select(r => r.P99)):F2} | {runs.Sum(r => r.Errors)} | {Ratio(endpoint.Id, reference):F2} | {Median(runs.Select(r => r.CpuMicrosecondsPerRequest)):F1} | {CpuRatio(endpoint.Id, reference):F2} |"));
            }

            // What each replica kept: every logged row either reached the log folder or was counted as dropped.
            Console.WriteLine();
            foreach (var (app, percent) in running.Take(3).Zip(new[] { "0", "10", "100" }))
            {
                var metrics = await client.GetStringAsync(app.Url("/metrics"));
                var dropped = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("mlpipeline_prediction_log_dropped_total{", StringComparison.Ordinal)) ?? "no rows dropped";
                var logFolder = Path.Combine(folder, $"logs-{percent}");
                var files = Directory.Exists(logFolder) ? Directory.GetFiles(logFolder, "*.jsonl", SearchOption.AllDirectories).Length : 0;
                Console.WriteLine(Invariant($"- {percent}% logged: {files} log files so far; {dropped}"));
            }

            return results.Values.SelectMany(r => r).Any(r => r.Errors > 0) ? 1 : 0;
        }
        finally
        {
            foreach (var app in apps.Where(a => !a.HasExited))
            {
                app.Kill(entireProcessTree: true);
            }

            Directory.Delete(folder, recursive: true);
        }
    }
}
