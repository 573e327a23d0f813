using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Benchmarks;

/// <summary>
/// Soak test of hot reload: the serving app as its own process on loopback, closed-loop load on N connections, and a
/// new version of the model deployed every few seconds (copy beside, rename over: the file watcher path, full
/// load + hash + schema check + warm-up + swap each time). Reports requests, failures (must be 0), latency in steady
/// state and in the two seconds after each deploy, and the server's memory after each swap (must not grow with swaps).
/// </summary>
internal static class ReloadSoak
{
    private static readonly TimeSpan SwapWindow = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(TimeSpan duration, int connections, TimeSpan swapEvery, string servingDll)
    {
        var manifest = BenchmarkModel.Manifest();
        var body = BenchmarkModel.SingleRowBody(manifest);
        var source = Directory.CreateTempSubdirectory("mlpipeline-soak-").FullName;
        var modelFile = Path.Combine(source, ModelManifest.ModelFileName);
        var modelBytes = File.ReadAllBytes(BenchmarkModel.ModelPath(manifest));
        Deploy(source, manifest, modelBytes, "soak-0000");
        var port = ServingProcess.FreePort();
        using var server = ServingProcess.Start(servingDll, port, new Dictionary<string, string>
        {
            ["Serving__Store"] = Path.GetDirectoryName(modelFile)!,
            ["Serving__Sources__0__Name"] = "soak",
            ["Serving__Sources__0__Path"] = modelFile,
            ["Serving__Reload__FileDebounce"] = "00:00:00.200",
        });
        try
        {
            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseProxy = false })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            };
            await ServingProcess.WaitReadyAsync(client);
            Console.WriteLine($"Model {manifest.Name} ({modelBytes.Length} bytes); {connections} connections for {duration.TotalMinutes:F1} min, a new version every {swapEvery.TotalSeconds} s.");

            var clock = Stopwatch.StartNew();
            var samples = new List<Sample>[connections];
            var stop = false;
            var workers = Enumerable.Range(0, connections).Select(i => Task.Run(async () =>
            {
                var mine = samples[i] = new List<Sample>(1_000_000);
                while (!Volatile.Read(ref stop))
                {
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new("application/json");
                    var started = clock.Elapsed;
                    int status;
                    string? version = null;
                    try
                    {
                        using var response = await client.PostAsync("/models/soak/predict", content);
                        await response.Content.ReadAsByteArrayAsync();
                        status = (int)response.StatusCode;
                        version = response.Headers.TryGetValues("X-Model-Version", out var v) ? v.First() : null;
                    }
                    catch (HttpRequestException)
                    {
                        status = 0;
                    }

                    mine.Add(new Sample(started, (clock.Elapsed - started).TotalMilliseconds, status, version));
                }
            })).ToList();

            // Warm up the connections before the first memory reading.
            await Task.Delay(TimeSpan.FromSeconds(5));
            var memory = new List<(int Swaps, long WorkingSet, long Private)> { (0, WorkingSet(server), PrivateBytes(server)) };
            var deploys = new List<(TimeSpan At, string Version)>();
            var swaps = 0;
            while (clock.Elapsed < duration)
            {
                await Task.Delay(swapEvery);
                swaps++;
                var version = $"soak-{swaps:D4}";
                deploys.Add((clock.Elapsed, version));
                Deploy(source, manifest, modelBytes, version);
                memory.Add((swaps, WorkingSet(server), PrivateBytes(server)));
            }

            await Task.Delay(SwapWindow);
            Volatile.Write(ref stop, true);
            await Task.WhenAll(workers);
            memory.Add((swaps, WorkingSet(server), PrivateBytes(server)));

            var all = samples.SelectMany(s => s).ToList();
            var measured = all.Where(s => s.Started >= TimeSpan.FromSeconds(5)).ToList();
            bool InSwap(Sample s) => deploys.Any(d => s.Started >= d.At && s.Started < d.At + SwapWindow);
            var during = measured.Where(InSwap).Select(s => s.Milliseconds).Order().ToArray();
            var steady = measured.Where(s => !InSwap(s)).Select(s => s.Milliseconds).Order().ToArray();
            var failures = all.Count(s => s.Status != 200);
            var served = all.Select(s => s.Version).Distinct().Count();
            var lastVersion = deploys.Count > 0 ? deploys[^1].Version : "soak-0000";
            var lastServed = all.Any(s => s.Version == lastVersion);

            Console.WriteLine();
            Console.WriteLine("| requests | failures | swaps deployed | versions seen in answers | last version served | throughput (req/s) |");
            Console.WriteLine("|---:|---:|---:|---:|---|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {all.Count} | {failures} | {swaps} | {served} | {(lastServed ? "yes" : "no")} | {all.Count / clock.Elapsed.TotalSeconds:F0} |"));
            Console.WriteLine();
            Console.WriteLine("| phase | requests | p50 (ms) | p99 (ms) | max (ms) |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            Console.WriteLine(Row("steady state", steady));
            Console.WriteLine(Row($"within {SwapWindow.TotalSeconds:F0} s after a deploy", during));
            Console.WriteLine();
            Console.WriteLine("| after swap | server working set (MB) | server private memory (MB) |");
            Console.WriteLine("|---:|---:|---:|");
            foreach (var (count, ws, priv) in memory.Where((_, i) => i == 0 || i == memory.Count - 1 || i % Math.Max(1, memory.Count / 6) == 0))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {count} | {ws / 1048576.0:F0} | {priv / 1048576.0:F0} |"));
            }

            return failures == 0 && lastServed ? 0 : 1;
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }

            Directory.Delete(source, recursive: true);
        }
    }

    /// <summary>Copies the model and a manifest naming <paramref name="version"/> beside the served files, then renames them over.</summary>
    private static void Deploy(string folder, ModelManifest manifest, byte[] modelBytes, string version)
    {
        var manifestFile = Path.Combine(folder, ModelManifest.FileName);
        var modelFile = Path.Combine(folder, ModelManifest.ModelFileName);
        var artifacts = new Dictionary<string, ArtifactInfo> { [ModelManifest.ModelFileName] = manifest.Artifacts[ModelManifest.ModelFileName] };
        File.WriteAllBytes(manifestFile + ".tmp", ManifestJson.Serialize(manifest with { Version = version, Artifacts = artifacts }));
        File.WriteAllBytes(modelFile + ".tmp", modelBytes);
        File.Move(manifestFile + ".tmp", manifestFile, overwrite: true);
        File.Move(modelFile + ".tmp", modelFile, overwrite: true);
    }

    private static long WorkingSet(Process process)
    {
        process.Refresh();
        return process.WorkingSet64;
    }

    private static long PrivateBytes(Process process)
    {
        process.Refresh();
        return process.PrivateMemorySize64;
    }

    private static string Row(string phase, double[] sorted) => sorted.Length == 0
        ? $"| {phase} | 0 | - | - | - |"
        : string.Create(CultureInfo.InvariantCulture, $"| {phase} | {sorted.Length} | {Percentile(sorted, 0.5):F2} | {Percentile(sorted, 0.99):F2} | {sorted[^1]:F2} |");

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private sealed record Sample(TimeSpan Started, double Milliseconds, int Status, string? Version);
}
