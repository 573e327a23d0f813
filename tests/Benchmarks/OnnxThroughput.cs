using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using MLPipeline.Training.Cli;

namespace MLPipeline.Benchmarks;

/// <summary>
/// Throughput of an imported ONNX model (the PyTorch digits CNN of data/onnx-models) over HTTP, one image and batches
/// of 32 through both protocols, against the same session options called in process (images per second). The service
/// runs as its own process (Production, quiet logs) loaded by wrk (one thread, N connections); the in-process runs
/// call <c>InferenceSession.Run</c> from as many threads as the machine has cores on prepared tensors (no JSON, no
/// HTTP). Rounds interleave the four HTTP endpoints and the two in-process runs, and ratios are taken within a round.
/// </summary>
internal static class OnnxThroughput
{
    private const string Model = "digits";

    public static async Task<int> RunAsync(string dataFolder, int connections, TimeSpan duration, int rounds, TimeSpan warmup)
    {
        var folder = Directory.CreateTempSubdirectory("mlpipeline-onnx-throughput-").FullName;
        var store = Path.Combine(folder, "store");
        var onnxFile = Path.Combine(dataFolder, "digits-cnn.onnx");
        var importArgs = new[] { "import-onnx", onnxFile, "--name", Model, "--labels", Path.Combine(dataFolder, "digits-cnn.labels.json"), "--sample", Path.Combine(dataFolder, "digits-cnn.samples.json"), "--store", store, "--alias", "production" };
        if (await new RootCommand { ImportOnnxCommand.Create() }.Parse(importArgs).InvokeAsync() != 0)
        {
            return 1;
        }

        var images = ReadImages(Path.Combine(dataFolder, "digits-cnn.samples.json"));
        var script = WrkLoad.WriteScript(folder);
        var port = ServingProcess.FreePort();
        using var service = ServingProcess.Start(Path.Combine(AppContext.BaseDirectory, "MLPipeline.Serving.dll"), port, new Dictionary<string, string>
        {
            ["Serving__Store"] = store,
            ["Serving__Models__0"] = Model,
        });
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await ServingProcess.WaitReadyAsync(client);
            var endpoints = new List<(string Id, string Label, string Route, string Body, int Images)>
            {
                ("instances-1", "HTTP instances, 1 image", $"/models/{Model}/predict", Instances(folder, images, 1), 1),
                ("instances-32", "HTTP instances, 32 images", $"/models/{Model}/predict", Instances(folder, images, 32), 32),
                ("v2-1", "HTTP v2 infer, 1 image", $"/v2/models/{Model}/infer", V2(folder, images, 1), 1),
                ("v2-32", "HTTP v2 infer, 32 images", $"/v2/models/{Model}/infer", V2(folder, images, 32), 32),
            };
            foreach (var endpoint in endpoints)
            {
                var answer = await client.PostAsync(endpoint.Route, new StringContent(File.ReadAllText(endpoint.Body), System.Text.Encoding.UTF8, "application/json"));
                if (!answer.IsSuccessStatusCode)
                {
                    Console.Error.WriteLine($"{endpoint.Id}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
                    return 1;
                }
            }

            var onnx = await File.ReadAllBytesAsync(onnxFile);
            var threads = Environment.ProcessorCount;
            var results = new Dictionary<string, List<double>>();
            var latencies = new Dictionary<string, List<double>>();
            foreach (var endpoint in endpoints)
            {
                await WrkLoad.RunAsync(script, new Uri(client.BaseAddress, endpoint.Route), endpoint.Body, new Dictionary<string, string>(), connections, warmup);
            }

            InProcess(onnx, images, 1, threads, warmup);
            InProcess(onnx, images, 32, threads, warmup);
            Console.WriteLine($"Load average at start {LoadAverage()}; {connections} connections, {duration.TotalSeconds:F0} s per run, {rounds} rounds, in process {threads} threads.");
            for (var round = 1; round <= rounds; round++)
            {
                var order = endpoints.Select(e => e.Id).Concat(["inprocess-1", "inprocess-32"]).OrderBy(_ => Random.Shared.Next()).ToList();
                foreach (var id in order)
                {
                    double perSecond;
                    if (id.StartsWith("inprocess", StringComparison.Ordinal))
                    {
                        perSecond = InProcess(onnx, images, id == "inprocess-1" ? 1 : 32, threads, duration);
                    }
                    else
                    {
                        var endpoint = endpoints.Single(e => e.Id == id);
                        var run = await WrkLoad.RunAsync(script, new Uri(client.BaseAddress, endpoint.Route), endpoint.Body, new Dictionary<string, string>(), connections, duration);
                        if (run.Errors > 0)
                        {
                            Console.Error.WriteLine($"{id}: {run.Errors} errors");
                        }

                        perSecond = run.Throughput * endpoint.Images;
                        Add(latencies, id, run.P99);
                    }

                    Add(results, id, perSecond);
                    Console.WriteLine(Invariant($"round {round} {id}: {perSecond:F0} images/s"));
                }
            }

            Console.WriteLine($"Load average at end {LoadAverage()}.");
            Console.WriteLine();
            Console.WriteLine("| run | images per request | images/s (median of rounds) | requests/s | p99 ms (median) | vs ONNX Runtime in process, same batch (median of per-round ratios) |");
            Console.WriteLine("|---|---|---|---|---|---|");
            foreach (var (id, label, _, _, count) in endpoints.Select(e => (e.Id, e.Label, e.Route, e.Body, e.Images)).Concat([("inprocess-1", $"ONNX Runtime in process, batch 1, {threads} threads", "", "", 1), ("inprocess-32", $"ONNX Runtime in process, batch 32, {threads} threads", "", "", 32)]))
            {
                var reference = count == 1 ? "inprocess-1" : "inprocess-32";
                var ratio = Median(results[id].Zip(results[reference], (a, b) => a / b));
                var p99 = latencies.TryGetValue(id, out var l) ? Invariant($"{Median(l):F2}") : "";
                Console.WriteLine(Invariant($"| {label} | {count} | {Median(results[id]):F0} | {Median(results[id]) / count:F0} | {p99} | {ratio:F3} |"));
            }

            return 0;
        }
        finally
        {
            service.Kill(entireProcessTree: true);
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Images per second from <paramref name="threads"/> threads each running batches of <paramref name="batch"/> images.</summary>
    private static double InProcess(byte[] onnx, float[][] images, int batch, int threads, TimeSpan duration)
    {
        // The service's default session options (Serving:Onnx): one thread per call, no spinning.
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        using var session = new InferenceSession(onnx, options);
        var data = new float[batch * 64];
        for (var i = 0; i < batch; i++)
        {
            images[i % images.Length].CopyTo(data, i * 64);
        }

        var total = 0L;
        var watch = Stopwatch.StartNew();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            using var run = new RunOptions();
            var count = 0L;
            while (watch.Elapsed < duration)
            {
                using var input = OrtValue.CreateTensorValueFromMemory(data, [batch, 1, 8, 8]);
                using var results = session.Run(run, ["image"], [input], ["probabilities"]);
                count += batch;
            }

            Interlocked.Add(ref total, count);
        });
        return total / watch.Elapsed.TotalSeconds;
    }

    private static float[][] ReadImages(string samples)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(samples));
        return [.. document.RootElement.GetProperty("inputs").GetProperty("image").EnumerateArray().Select(Flat)];
    }

    private static float[] Flat(JsonElement image)
    {
        var values = new List<float>();
        void Collect(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in e.EnumerateArray())
                {
                    Collect(item);
                }
            }
            else
            {
                values.Add(e.GetSingle());
            }
        }

        Collect(image);
        return [.. values];
    }

    private static string Instances(string folder, float[][] images, int count)
    {
        var instances = new JsonArray([.. Enumerable.Range(0, count).Select(i => (JsonNode)new JsonObject { ["image"] = Nested(images[i % images.Length]) })]);
        return Write(folder, $"instances-{count}.json", new JsonObject { ["instances"] = instances });
    }

    private static string V2(string folder, float[][] images, int count)
    {
        var data = new JsonArray([.. Enumerable.Range(0, count).SelectMany(i => images[i % images.Length]).Select(v => (JsonNode)v)]);
        var tensor = new JsonObject { ["name"] = "image", ["shape"] = new JsonArray(count, 1, 8, 8), ["datatype"] = "FP32", ["data"] = data };
        return Write(folder, $"v2-{count}.json", new JsonObject { ["inputs"] = new JsonArray(tensor) });
    }

    /// <summary>One image as [1][8][8] nested arrays (an instance has no batch dimension).</summary>
    private static JsonArray Nested(float[] image) =>
        new(new JsonArray([.. Enumerable.Range(0, 8).Select(r => (JsonNode)new JsonArray([.. image.Skip(r * 8).Take(8).Select(v => (JsonNode)v)]))]));

    private static string Write(string folder, string name, JsonNode body)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, body.ToJsonString());
        return path;
    }

    private static void Add(Dictionary<string, List<double>> results, string id, double value)
    {
        if (!results.TryGetValue(id, out var list))
        {
            results[id] = list = [];
        }

        list.Add(value);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
