using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests.Onnx;

/// <summary>
/// An imported ONNX model swapped from one version to another and back while requests on both protocols run: no
/// request fails, and every answer is the one of the version it names (y = 2x - 1, then y = 6x - 1).
/// </summary>
public sealed class OnnxHotSwapTests : IDisposable
{
    private const string Name = "linear";
    private readonly OnnxStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Swapping_versions_under_concurrent_requests_fails_none_and_each_answer_matches_its_version()
    {
        await _store.ImportAsync(OnnxSamples.Linear, Name, version: "v1");
        await using var app = new OnnxServingApp(_store.Directory, new Dictionary<string, string?> { ["Serving:Models:0"] = Name });
        var client = await app.ReadyClientAsync();
        var first = app.Pool.Find(Name)!.Current!;
        var answers = new ConcurrentBag<(string Version, double Y)>();
        var failures = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var (route, body) = (worker + i) % 2 == 0
                    ? ($"/models/{Name}/predict", (object)new { instances = new[] { new { x = new[] { 10f } } } })
                    : ($"/v2/models/{Name}/infer", new { inputs = new[] { new { name = "x", shape = new[] { 1, 1 }, datatype = "FP32", data = new[] { 10f } } } });
                var response = await client.PostAsJsonAsync(route, body);
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Add($"{route}: {(int)response.StatusCode} {text}");
                    continue;
                }

                var answer = JsonDocument.Parse(text).RootElement;
                answers.Add(answer.TryGetProperty("predictions", out var predictions)
                    ? (answer.GetProperty("version").GetString()!, predictions[0].GetProperty("y")[0].GetDouble())
                    : (answer.GetProperty("model_version").GetString()!, answer.GetProperty("outputs")[0].GetProperty("data")[0].GetDouble()));
            }
        })).ToList();

        await AnswersFromAsync(answers, "v1");
        await _store.ImportAsync(OnnxSamples.Linear, Name, file: _store.ScaledLinear(3), version: "v2");
        await ReloadAsync(client);
        await AnswersFromAsync(answers, "v2");
        await new FileModelStore(_store.Directory).PromoteAsync(Name, "v1", "production");
        await ReloadAsync(client);
        var before = answers.Count;
        await Eventually.TrueAsync(() => answers.Count > before + 50, TimeSpan.FromSeconds(30), "answers after the swap back");
        await stop.CancelAsync();
        await Task.WhenAll(load);

        failures.Should().BeEmpty();
        answers.Select(a => a.Version).Distinct().Should().BeEquivalentTo(["v1", "v2"]);
        foreach (var (version, y) in answers)
        {
            y.Should().BeApproximately(version == "v1" ? 19 : 59, 1e-3, $"an answer of version {version}");
        }

        app.Pool.Find(Name)!.Current!.Version.Should().Be("v1");
        first.IsDisposed.Should().BeTrue("the first generation drained once swapped out, and its session was disposed");
    }

    private static async Task ReloadAsync(HttpClient client)
    {
        var response = await client.PostAsync($"/models/{Name}/reload", JsonContent.Create(new { }));
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private static Task AnswersFromAsync(ConcurrentBag<(string Version, double Y)> answers, string version) =>
        Eventually.TrueAsync(() => answers.Count(a => a.Version == version) >= 50, TimeSpan.FromSeconds(30), $"50 answers of version {version}");
}
