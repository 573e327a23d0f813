using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace MLPipeline.Benchmarks;

/// <summary>
/// The throughput benchmark: every endpoint side by side in one run, on loopback, with the same load generator (wrk,
/// one thread, N connections, closed loop). Five processes started the same way (<c>dotnet &lt;app&gt;.dll</c>,
/// Production, the same logging settings): a bare minimal-API app answering constant JSON, a hand-written typed
/// minimal-API app with pooled PredictionEngines on the same model.zip, and the serving app three times (no key; the
/// shipped defaults with one API key; one key plus the per-caller rate limiter). Rounds interleave every endpoint in a
/// shuffled order, and ratios are taken within a round, so the load of other processes on a shared machine hits all
/// endpoints alike.
/// </summary>
internal static partial class ThroughputComparison
{
    public const int BatchRows = 100;

    private const string ApiKey = "throughput-benchmark-key-0001";

    /// <param name="otherServingDll">Another build of the serving app (say, before a change) measured in the same run, or null.</param>
    public static async Task<int> RunAsync(int connections, TimeSpan duration, int rounds, TimeSpan warmup, string? otherServingDll)
    {
        var manifest = BenchmarkModel.Manifest();
        var folder = Directory.CreateTempSubdirectory("mlpipeline-throughput-").FullName;
        var script = WrkLoad.WriteScript(folder);
        var oneRow = WriteBody(folder, "one-row.json", BenchmarkModel.SingleRowBody(manifest));
        var batch = WriteBody(folder, "batch.json", BenchmarkModel.BatchBody(manifest, BatchRows));
        var loadAtStart = LoadAverage();
        var apps = new List<Process>();
        var others = new List<App>();
        try
        {
            var store = new Dictionary<string, string>
            {
                ["Serving__Store"] = BenchmarkModel.StoreLocation,
                ["Serving__Models__0"] = BenchmarkModel.Name,
            };
            var key = new Dictionary<string, string>
            {
                ["Serving__ApiKeys__0__Id"] = "benchmark",
                ["Serving__ApiKeys__0__Key"] = ApiKey,
                ["Serving__ApiKeys__0__Role"] = "predict",
            };
            var bare = Start(apps, "MLPipeline.Benchmarks.BareJsonApp.dll", []);
            var typed = Start(apps, "MLPipeline.Benchmarks.TypedEngineApp.dll", new()
            {
                ["Model"] = BenchmarkModel.ModelPath(manifest),
                ["ModelName"] = manifest.Name,
                ["ModelVersion"] = manifest.Version,
            });
            var open = Start(apps, "MLPipeline.Serving.dll", new(store) { ["Serving__BaselineEndpoint"] = "true" });
            var keyed = Start(apps, "MLPipeline.Serving.dll", new(store.Concat(key)));
            var limited = Start(apps, "MLPipeline.Serving.dll", new(store.Concat(key)) { ["Serving__RateLimit__PermitsPerSecond"] = "1000000" });

            var predict = $"/models/{manifest.Name}/predict";
            Dictionary<string, string> none = [];
            Dictionary<string, string> withKey = new() { ["X-Api-Key"] = ApiKey };
            var endpoints = new List<Endpoint>
            {
                new("bare", "bare minimal API: constant JSON", bare, "/predict", oneRow, none, 1),
                new("typed", "hand-written minimal API: typed classes, pooled PredictionEngine", typed, "/predict", oneRow, none, 1),
                new("baseline", "service POST /baseline: its middleware, constant JSON", open, "/baseline", oneRow, none, 1),
                new("service", $"service POST {predict}: no key", open, predict, oneRow, none, 1),
                new("shipped", "service, shipped defaults + 1 API key", keyed, predict, oneRow, withKey, 1),
                new("limited", "service, 1 API key + per-caller rate limiter", limited, predict, oneRow, withKey, 1),
                new("typed-batch", $"hand-written minimal API, {BatchRows} rows", typed, "/predict", batch, none, BatchRows),
                new("service-batch", $"service, {BatchRows} rows, no key", open, predict, batch, none, BatchRows),
            };
            if (otherServingDll is not null)
            {
                var otherOpen = Start(apps, otherServingDll, store);
                var otherKeyed = Start(apps, otherServingDll, new(store.Concat(key)));
                others.AddRange([otherOpen, otherKeyed]);
                endpoints.AddRange(
                [
                    new("other", $"other build ({otherServingDll}): no key", otherOpen, predict, oneRow, none, 1),
                    new("other-shipped", "other build: shipped defaults + 1 API key", otherKeyed, predict, oneRow, withKey, 1),
                    new("other-batch", $"other build: {BatchRows} rows, no key", otherOpen, predict, batch, none, BatchRows),
                ]);
            }

            using var client = new HttpClient();
            foreach (var app in new[] { bare, typed, open, keyed, limited }.Concat(others))
            {
                await app.WaitReadyAsync(client);
            }

            await CheckAnswersAsync(client, endpoints);
            Console.WriteLine($"Model {manifest.Name} {manifest.Version} ({manifest.Trainer.Name}); wrk -t1 -c{connections}, {duration.TotalSeconds:0} s per endpoint per round, {rounds} rounds, {warmup.TotalSeconds:0} s warm-up each.");
            Console.WriteLine($"Machine: {Machine()}; load average at start {loadAtStart}.");
            foreach (var endpoint in endpoints)
            {
                await endpoint.RunAsync(script, connections, warmup);
            }

            var results = endpoints.ToDictionary(e => e.Id, _ => new List<Measurement>());
            var random = new Random(14);
            Console.WriteLine();
            Console.WriteLine("| round | endpoint | requests/s | p50 (ms) | p99 (ms) | errors | server CPU us/request |");
            Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|");
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var endpoint in endpoints.OrderBy(_ => random.Next()).ToList())
                {
                    var result = await endpoint.RunAsync(script, connections, duration);
                    results[endpoint.Id].Add(result);
                    Console.WriteLine(Invariant($"| {round} | {endpoint.Id} | {result.Throughput:F0} | {result.P50:F2} | {result.P99:F2} | {result.Errors} | {result.CpuMicrosecondsPerRequest:F1} |"));
                }
            }

            Console.WriteLine();
            Console.WriteLine($"Load average at end {LoadAverage()}.");
            Console.WriteLine();
            PrintSummary(endpoints, results);
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

    private static void PrintSummary(List<Endpoint> endpoints, Dictionary<string, List<Measurement>> results)
    {
        // A ratio is taken within each round (both endpoints under the same machine load), then the median of rounds.
        double Ratio(string id, string reference) =>
            Median(results[id].Zip(results[reference], (a, b) => a.Throughput / b.Throughput));

        // The same comparison in server CPU per request (reference / this, so that higher is better here too).
        double CpuRatio(string id, string reference) =>
            Median(results[id].Zip(results[reference], (a, b) => b.CpuMicrosecondsPerRequest / a.CpuMicrosecondsPerRequest));

        Console.WriteLine("| endpoint | rows per request | requests/s | rows/s | p50 (ms) | p99 (ms) | worst p99 (ms) | errors | x bare | x hand-written | server CPU us/request |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var endpoint in endpoints)
        {
            var runs = results[endpoint.Id];
            var batch = endpoint.Rows > 1;
            var toBare = batch ? "" : Invariant($"{Ratio(endpoint.Id, "bare"):F2}");
            var toTyped = Invariant($"{Ratio(endpoint.Id, batch ? "typed-batch" : "typed"):F2}");
            var throughput = Median(runs.Select(r => r.Throughput));
            Console.WriteLine(Invariant(
                $"| {endpoint.Label} | {endpoint.Rows} | {throughput:F0} | {throughput * endpoint.Rows:F0} | {Median(runs.Select(r => r.P50)):F2} | {Median(runs.Select(r => r.P99)):F2} | {runs.Max(r => r.P99):F2} | {runs.Sum(r => r.Errors)} | {toBare} | {toTyped} | {Median(runs.Select(r => r.CpuMicrosecondsPerRequest)):F1} |"));
        }

        Console.WriteLine();
        Console.WriteLine(Invariant($"- single-row predict (no key) / hand-written: {Ratio("service", "typed"):F2} (target >= 0.95)"));
        Console.WriteLine(Invariant($"- single-row predict (no key) / bare constant JSON: {Ratio("service", "bare"):F2} (target >= 0.85)"));
        Console.WriteLine(Invariant($"- single-row predict p99, median of rounds: {Median(results["service"].Select(r => r.P99)):F2} ms (target <= 2 ms)"));
        Console.WriteLine(Invariant($"- shipped defaults + 1 key / no key: {Ratio("shipped", "service"):F2}; with the per-caller rate limiter: {Ratio("limited", "service"):F2} (target >= 0.95)"));
        Console.WriteLine(Invariant($"- {BatchRows}-row requests, rows/s service / hand-written: {Ratio("service-batch", "typed-batch"):F2}"));
        Console.WriteLine(Invariant($"- the same in server CPU per request (reference's / this one's): predict / hand-written {CpuRatio("service", "typed"):F2}, shipped defaults + 1 key / no key {CpuRatio("shipped", "service"):F2}, with the rate limiter {CpuRatio("limited", "service"):F2}"));
        if (results.ContainsKey("other"))
        {
            Console.WriteLine(Invariant($"- this build / the other build: no key {Ratio("service", "other"):F2}, shipped defaults + 1 key {Ratio("shipped", "other-shipped"):F2}, {BatchRows} rows {Ratio("service-batch", "other-batch"):F2}"));
        }
    }

    private static async Task CheckAnswersAsync(HttpClient client, List<Endpoint> endpoints)
    {
        // Every endpoint answers 200 with one prediction per row, and the service scores exactly as the typed engine.
        var scores = new Dictionary<string, float[]>();
        foreach (var endpoint in endpoints)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ByteArrayContent(File.ReadAllBytes(endpoint.BodyFile)) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            foreach (var (name, value) in endpoint.Headers)
            {
                request.Headers.Add(name, value);
            }

            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{endpoint.Label} ({endpoint.Url}) answered {(int)response.StatusCode}: {text}");
            }

            var predictions = JsonDocument.Parse(text).RootElement.GetProperty("predictions");
            if (predictions.GetArrayLength() != endpoint.Rows)
            {
                throw new InvalidOperationException($"{endpoint.Label} answered {predictions.GetArrayLength()} predictions for {endpoint.Rows} rows: {text}");
            }

            scores[endpoint.Id] = [.. predictions.EnumerateArray().Select(p => p.GetProperty("score").GetSingle())];
        }

        foreach (var (service, typed) in new[] { ("service", "typed"), ("shipped", "typed"), ("service-batch", "typed-batch") })
        {
            if (!scores[service].SequenceEqual(scores[typed]))
            {
                throw new InvalidOperationException($"{service} and {typed} disagree: {string.Join(",", scores[service])} against {string.Join(",", scores[typed])}.");
            }
        }
    }

    private static App Start(List<Process> apps, string dll, Dictionary<string, string> settings)
    {
        var port = ServingProcess.FreePort();
        var process = ServingProcess.Start(Path.IsPathRooted(dll) ? dll : Path.Combine(AppContext.BaseDirectory, dll), port, settings);
        apps.Add(process);
        return new App(dll, port, process);
    }

    private static string WriteBody(string folder, string name, byte[] body)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, body);
        return path;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return $"{cpu ?? "unknown CPU"}, {Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record App(string Dll, int Port, Process Process)
    {
        /// <summary>CPU time the app's process has used so far (user and kernel, every thread).</summary>
        public TimeSpan CpuTime()
        {
            Process.Refresh();
            return Process.TotalProcessorTime;
        }

        public Uri Url(string path) => new($"http://127.0.0.1:{Port}{path}");

        public Task WaitReadyAsync(HttpClient client) =>
            ServingProcess.WaitReadyAsync(client, Url(IsServing ? "/healthz/ready" : "/"), anyAnswer: !IsServing);

        private bool IsServing => Path.GetFileName(Dll) == "MLPipeline.Serving.dll";
    }

    private sealed record Endpoint(string Id, string Label, App App, string Path, string BodyFile, Dictionary<string, string> Headers, int Rows)
    {
        public Uri Url => App.Url(Path);

        /// <summary>
        /// One wrk run, and the CPU time the app's process spent per request meanwhile: unlike requests per second, that
        /// figure barely moves with what else the machine runs, so it is the steadier comparison on a shared machine.
        /// </summary>
        public async Task<Measurement> RunAsync(string script, int connections, TimeSpan duration)
        {
            var before = App.CpuTime();
            var result = await WrkLoad.RunAsync(script, Url, BodyFile, Headers, connections, duration);
            var cpu = App.CpuTime() - before;
            return new Measurement(result, result.Requests == 0 ? double.NaN : cpu.TotalMicroseconds / result.Requests);
        }
    }

    /// <summary>A wrk result with the server's CPU microseconds per request over the same run.</summary>
    private sealed record Measurement(WrkResult Wrk, double CpuMicrosecondsPerRequest)
    {
        public double Throughput => Wrk.Throughput;

        public double P50 => Wrk.P50;

        public double P99 => Wrk.P99;

        public long Errors => Wrk.Errors;
    }
}
