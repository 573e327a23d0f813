using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Sources;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests;

/// <summary>Many threads at once, and swaps while they run: never a stale engine, every old generation disposed.</summary>
[Collection(ServingTestGroup.Name)]
public sealed class ConcurrencyTests(TrainedModelsFixture fixture)
{
    private TrainedModels Models => fixture.Models;

    /// <summary>Hands out two different model versions in turn, so every swap changes the predictions.</summary>
    private sealed class AlternatingSource(string first, string second) : IModelSource
    {
        private int _calls;

        public string Location => "alternating test files";

        public Task<ModelPackage> FetchAsync(CancellationToken cancellationToken) =>
            new FileModelSource(Interlocked.Increment(ref _calls) % 2 == 1 ? first : second).FetchAsync(cancellationToken);
    }

    [Fact]
    public async Task Swaps_under_load_never_hand_out_an_engine_of_another_generation()
    {
        var input = CsvRows.House(CsvRows.Read("house-prices.csv")[7]);
        using var services = new ServiceCollection().AddLogging()
            .AddPredictionEnginePool<HousePricesInput, RegressionOutput>()
            .FromSource("hp", _ => new AlternatingSource(Models.ModelPath(Models.HousePricesMain), Models.ModelPath(Models.HousePricesOther)))
            .Services.BuildServiceProvider();
        var pool = services.GetRequiredService<PredictionEnginePool>();
        var typed = services.GetRequiredService<PredictionEnginePool<HousePricesInput, RegressionOutput>>();
        var generations = new ConcurrentBag<ModelGeneration> { await pool.LoadAsync("hp") };

        // The expected score of each version, from a fresh engine outside the pool.
        var expected = new Dictionary<string, float>();
        foreach (var manifest in new[] { Models.HousePricesMain, Models.HousePricesOther })
        {
            var ml = new Microsoft.ML.MLContext();
            var model = ml.Model.Load(Models.ModelPath(manifest), out var schema);
            expected[manifest.Version] = ml.Model.CreatePredictionEngine<HousePricesInput, RegressionOutput>(model, schema).Predict(input).Score;
        }

        expected.Values.Distinct().Should().HaveCount(2, "the two versions must predict differently for the test to see a stale engine");

        using var stop = new CancellationTokenSource();
        var mismatches = 0;
        var predictedOn = new ConcurrentDictionary<ModelGeneration, bool>();
        var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (worker % 2 == 0)
                {
                    using var lease = typed.Rent("hp");
                    lease.Generation.IsDisposed.Should().BeFalse();
                    if (lease.Engine.Predict(input).Score != expected[lease.Generation.Version])
                    {
                        Interlocked.Increment(ref mismatches);
                    }

                    predictedOn[lease.Generation] = true;
                }
                else
                {
                    using var lease = pool.Rent("hp");
                    var engine = lease.Engine;
                    engine.BeginInstance();
                    foreach (var column in engine.Binding.Columns)
                    {
                        var value = typeof(HousePricesInput).GetProperty(column.Name)!.GetValue(input)!;
                        if (column.IsText)
                        {
                            engine.SetText(engine.Binding.IndexOf(column.Name), (string)value);
                        }
                        else
                        {
                            engine.SetNumber(engine.Binding.IndexOf(column.Name), (float)value);
                        }
                    }

                    engine.Predict();
                    if (engine.Score != expected[lease.Generation.Version])
                    {
                        Interlocked.Increment(ref mismatches);
                    }

                    predictedOn[lease.Generation] = true;
                }
            }
        })).ToList();

        var swappedIn = new List<ModelGeneration>();
        for (var swap = 0; swap < 12; swap++)
        {
            // Each generation serves predictions before the next swap, so every swap happens under load.
            var generation = await pool.LoadAsync("hp");
            generations.Add(generation);
            swappedIn.Add(generation);
            await Eventually.TrueAsync(() => predictedOn.ContainsKey(generation), TimeSpan.FromSeconds(30), "a prediction on the new generation");
        }

        await stop.CancelAsync();
        await Task.WhenAll(workers);

        mismatches.Should().Be(0);
        predictedOn.Keys.Should().Contain(swappedIn, "every swapped-in generation served under load");
        var current = pool.Find("hp")!.Current;
        generations.Where(g => g != current).Should().OnlyContain(g => g.IsDisposed, "every swapped-out generation is disposed once its engines are back");
        current!.IsDisposed.Should().BeFalse();
    }

    [Fact]
    public async Task Many_concurrent_http_requests_on_three_models_all_succeed_with_the_single_threaded_answers()
    {
        await using var app = new ServingApp(Models, new Dictionary<string, string?> { ["Serving:RateLimit:PermitsPerSecond"] = "0" });
        var client = await app.ReadyClientAsync();

        // One request id for every request, so equal answers are equal bodies.
        client.DefaultRequestHeaders.Add(MLPipeline.Serving.Monitoring.PredictionIds.Header, "same-request");
        var requests = new (string Path, HttpContent Body)[]
        {
            ("/models/house-prices/predict", ServingApp.Instances(TrainedModels.Instance(Models.HousePricesMain))),
            ("/models/cancer/predict", ServingApp.Instances(TrainedModels.Instance(Models.CancerModel))),
            ("/models/iris/predict", ServingApp.Instances(TrainedModels.Instance(Models.IrisModel))),
        };
        var bodies = await Task.WhenAll(requests.Select(async r => await r.Body.ReadAsStringAsync()));
        var expected = new string[requests.Length];
        for (var i = 0; i < requests.Length; i++)
        {
            expected[i] = await (await client.PostAsync(requests[i].Path, new StringContent(bodies[i], System.Text.Encoding.UTF8, "application/json"))).Content.ReadAsStringAsync();
        }

        var failures = new ConcurrentBag<string>();
        await Parallel.ForAsync(0, 600, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var which = i % requests.Length;
            var response = await client.PostAsync(requests[which].Path, new StringContent(bodies[which], System.Text.Encoding.UTF8, "application/json"), ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode != HttpStatusCode.OK || text != expected[which])
            {
                failures.Add($"{requests[which].Path}: {(int)response.StatusCode} {text}");
            }

            if (i % 100 == 50)
            {
                // Reloads in the middle of the traffic: the swap must not fail a request.
                (await client.PostAsync("/models/house-prices/reload", SecurityTestSupport.EmptyJson(), ct)).StatusCode.Should().Be(HttpStatusCode.OK);
            }
        });

        failures.Should().BeEmpty();
    }
}
