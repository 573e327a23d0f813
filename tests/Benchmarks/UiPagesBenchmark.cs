using System.Diagnostics;
using System.Globalization;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;

namespace MLPipeline.Benchmarks;

/// <summary>
/// How long the web pages take on a big store: a folder store of <c>models</c> x <c>versions</c> crafted versions (a
/// manifest and a small model.zip each; the service fails to load them, which the pages show), the service as its own
/// process, each page requested once cold (the store read) and then many times warm (from the pages' cache), side by
/// side in one run. Results in docs/ui.md.
/// </summary>
internal static class UiPagesBenchmark
{
    public static async Task<int> RunAsync(int models, int versions, int rounds, string servingDll)
    {
        var root = Directory.CreateTempSubdirectory("mlpipeline-ui-bench-").FullName;
        try
        {
            var build = Stopwatch.StartNew();
            await CraftStoreAsync(Path.Combine(root, "store"), models, versions);
            Console.WriteLine($"store: {models} models x {versions} versions written in {build.Elapsed.TotalSeconds:0.0} s");

            var port = ServingProcess.FreePort();
            using var process = ServingProcess.Start(servingDll, port, new Dictionary<string, string>
            {
                ["Serving__Store"] = Path.Combine(root, "store"),
                ["Serving__Reload__Enabled"] = "false",
            });
            try
            {
                using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
                await WaitLiveAsync(client);
                var model = ModelName(0);
                string[] pages =
                [
                    "/ui",
                    $"/ui/models/{model}",
                    $"/ui/models/{model}/versions/{VersionName(versions - 1)}",
                    $"/ui/models/{model}/compare?a={VersionName(0)}&b={VersionName(versions - 1)}",
                    $"/ui/models/{model}/promote?version={VersionName(0)}&alias=production",
                ];

                Console.WriteLine();
                Console.WriteLine("| page | cold (first request, store read) ms | warm median ms | warm p95 ms | cold / warm median |");
                Console.WriteLine("|---|---:|---:|---:|---:|");
                foreach (var page in pages)
                {
                    var cold = await TimeAsync(client, page);
                    var warm = new List<double>();
                    for (var i = 0; i < rounds; i++)
                    {
                        warm.Add(await TimeAsync(client, page));
                    }

                    warm.Sort();
                    var median = warm[warm.Count / 2];
                    var p95 = warm[(int)Math.Min(warm.Count - 1, Math.Ceiling(warm.Count * 0.95) - 1)];
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| `{page}` | {cold:0.0} | {median:0.0} | {p95:0.0} | {cold / median:0.0}x |"));
                }
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<double> TimeAsync(HttpClient client, string page)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await client.GetAsync(page);
        await response.Content.ReadAsByteArrayAsync();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return response.IsSuccessStatusCode ? elapsed : throw new InvalidOperationException($"{page}: {(int)response.StatusCode}");
    }

    private static async Task WaitLiveAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if ((await client.GetAsync("/healthz/live")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            await Task.Delay(200);
        }
    }

    private static string ModelName(int i) => $"model-{i:000}";

    private static string VersionName(int v) => $"v{v:0000}";

    /// <summary>Published through the store, as training publishes: artifacts first, the manifest last; two aliases per model.</summary>
    private static async Task CraftStoreAsync(string path, int models, int versions)
    {
        var store = new FileModelStore(path);
        var staging = Directory.CreateTempSubdirectory("mlpipeline-ui-bench-pkg-").FullName;
        var modelZip = Path.Combine(staging, ModelManifest.ModelFileName);
        await File.WriteAllBytesAsync(modelZip, new byte[4096]);
        var artifacts = new Dictionary<string, ArtifactInfo> { [ModelManifest.ModelFileName] = ArtifactHash.Describe(modelZip) };
        var created = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var m = 0; m < models; m++)
        {
            for (var v = 0; v < versions; v++)
            {
                var manifest = new ModelManifest
                {
                    Name = ModelName(m),
                    Version = VersionName(v),
                    Task = ModelTask.Regression,
                    CreatedUtc = created.AddHours(v),
                    Inputs = [new InputColumn("Size", "Single", ColumnRole.Numeric), new InputColumn("District", "String", ColumnRole.Categorical)],
                    Outputs = [new OutputColumn("Score", "Single")],
                    Label = new LabelInfo("Price", null),
                    Trainer = new TrainerDescription(v % 2 == 0 ? "FastTree" : "Sdca", null),
                    Metrics = new ModelMetrics
                    {
                        MainMetric = "RSquared",
                        Test = new Dictionary<string, double> { ["RSquared"] = 0.7 + (0.2 * Math.Sin(v / 7.0)), ["RootMeanSquaredError"] = 3 + Math.Cos(v / 5.0) },
                        CrossValidation = new Dictionary<string, MetricSummary> { ["RSquared"] = new(0.68 + (0.2 * Math.Sin(v / 7.0)), 0.03) },
                    },
                    TrainingData = new TrainingDataInfo("data/houses.csv", 1000, new string('a', 64), 800, 200),
                    Artifacts = artifacts,
                    Lineage = new LineageInfo("pipelines/houses.json", "0123456789abcdef", "5.0.1", ".NET 10", "bench"),
                    SampleInput = new Dictionary<string, string?> { ["Size"] = "120", ["District"] = "north" },
                };
                await File.WriteAllBytesAsync(Path.Combine(staging, ModelManifest.FileName), ManifestJson.Serialize(manifest));
                await store.PublishAsync(staging);
            }

            await store.PromoteAsync(ModelName(m), VersionName(versions - 2), "production");
            await store.PromoteAsync(ModelName(m), VersionName(versions - 1), "production");
            await store.PromoteAsync(ModelName(m), VersionName(versions - 1), "staging");
        }

        Directory.Delete(staging, recursive: true);
    }
}
