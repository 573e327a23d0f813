using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using MLPipeline.Serving.Monitoring;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests.Monitoring;

[Collection(ServingTestGroup.Name)]
public sealed class PredictionLogTests(TrainedModelsFixture fixture, AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private TrainedModels Models => fixture.Models;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task With_every_prediction_logged_under_load_each_answered_row_is_in_the_store_exactly_once_after_shutdown(bool blob)
    {
        using var folder = new TempFolder("monitoring-log-");
        string location;
        IModelStore store;
        if (blob)
        {
            var container = await azurite.Server.CreateContainerAsync();
            location = azurite.Server.StoreUriWithSas(container, "monitoring");
            store = ModelStoreFactory.Open(location);
        }
        else
        {
            location = folder.Path;
            store = new FileModelStore(folder.Path);
        }

        var app = MonitoringApp.Create(Models, location,
            ("Serving:Monitoring:Models:house-prices:LogPercent", "100"),
            ("Serving:Monitoring:BatchRows", "37"));
        var answered = new ConcurrentBag<string>();
        await using (app)
        {
            var client = await app.ReadyClientAsync();
            var instance = TrainedModels.Instance(Models.HousePricesMain);
            await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
            {
                for (var i = 0; i < 60; i++)
                {
                    // Every third request is a batch of three rows: its rows are logged as <id>-0, <id>-1, <id>-2.
                    var rows = i % 3 == 0 ? 3 : 1;
                    using var response = await client.PostAsync("/models/house-prices/predict", ServingApp.Instances([.. Enumerable.Repeat<object>(instance, rows)]));
                    response.StatusCode.Should().Be(HttpStatusCode.OK);
                    var body = await ServingApp.JsonAsync(response);
                    response.Headers.GetValues(PredictionIds.Header).Single().Should().Be(body.GetProperty("id").GetString());
                    foreach (var prediction in body.GetProperty("predictions").EnumerateArray())
                    {
                        answered.Add(prediction.GetProperty("id").GetString()!);
                    }
                }
            })));
            app.Dropped(TrainedModels.HousePrices).Should().Be(0);
        }

        // Disposing the app stopped it: the log was drained into the store.
        var logged = new List<string>();
        var files = await store.ListRecordsAsync(TrainedModels.HousePrices, $"logs/{Models.HousePricesMain.Version}");
        files.Should().HaveCountGreaterThan(answered.Count / 37).And.OnlyContain(f => f.Contains("/test-replica-", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var text = System.Text.Encoding.UTF8.GetString(await store.ReadRecordsAsync(TrainedModels.HousePrices, file));
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var row = JsonDocument.Parse(line).RootElement;
                row.GetProperty("version").GetString().Should().Be(Models.HousePricesMain.Version);
                row.GetProperty("inputs").GetProperty("RM").GetSingle().Should().Be((float)TrainedModels.Instance(Models.HousePricesMain)["RM"]!);
                row.GetProperty("outputs").GetProperty("score").GetDouble().Should().BePositive();
                logged.Add(row.GetProperty("id").GetString()!);
            }
        }

        answered.Should().HaveCount(8 * ((20 * 3) + 40));
        logged.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(answered);
    }

    [Fact]
    public async Task A_store_that_never_answers_does_not_hold_predictions_its_rows_are_dropped_and_counted()
    {
        await using var silent = SilentBlobEndpoint.Start();
        var app = MonitoringApp.Create(Models, silent.ContainerUrl,
            ("Serving:Monitoring:Models:house-prices:LogPercent", "100"),
            ("Serving:Monitoring:BatchRows", "10"),
            ("Serving:Monitoring:QueueCapacity", "20"),
            ("shutdownTimeoutSeconds", "1"));
        await using (app)
        {
            var client = await app.ReadyClientAsync();
            var instance = TrainedModels.Instance(Models.HousePricesMain);
            const int requests = 300;
            for (var i = 0; i < requests; i++)
            {
                using var response = await client.PostAsync("/models/house-prices/predict", ServingApp.Instances(instance));
                response.StatusCode.Should().Be(HttpStatusCode.OK);
            }

            // Every request was answered while the store held its first write: nothing was written, the rest was dropped
            // (at most two budgets of rows are still held: the file being written and the one waiting).
            await Eventually.TrueAsync(() => app.Dropped(TrainedModels.HousePrices) >= requests - 40, TimeSpan.FromSeconds(30), "the rows beyond the budget to be dropped");
            silent.Accepted.Should().BeTrue();
            var version = app.Registry().Versions(TrainedModels.HousePrices).Single();
            version.Written.Should().Be(0);
            version.Dropped.Should().Be((long)app.Dropped(TrainedModels.HousePrices));
        }
    }

    [Fact]
    public async Task Rows_of_long_texts_waiting_for_a_store_that_never_answers_stay_within_the_byte_budget()
    {
        await using var silent = SilentBlobEndpoint.Start();
        var app = MonitoringApp.Create(Models, silent.ContainerUrl,
            ("Serving:Monitoring:Models:house-prices:LogPercent", "100"),
            ("Serving:Monitoring:QueueBytes", "1048576"),
            ("Serving:Monitoring:FlushInterval", "00:00:00.2"),
            ("shutdownTimeoutSeconds", "1"));
        await using (app)
        {
            var client = await app.ReadyClientAsync();

            // 200 rows of 100,000 characters: 20 MB of text in rows, far under the row budget (QueueCapacity 20,000), and a
            // category the model has never seen, which it still answers.
            var instance = TrainedModels.Instance(Models.HousePricesMain);
            instance["CHAS"] = new string('x', 100_000);
            const int requests = 200;
            for (var i = 0; i < requests; i++)
            {
                using var response = await client.PostAsync("/models/house-prices/predict", ServingApp.Instances(instance));
                response.StatusCode.Should().Be(HttpStatusCode.OK);
                app.Registry().Budget.Held.Should().BeLessThanOrEqualTo(1024 * 1024);
            }

            // At most the budget's worth of rows (about five of these) is still held; the rest was dropped and counted.
            await Eventually.TrueAsync(() => app.Dropped(TrainedModels.HousePrices) >= requests - 10, TimeSpan.FromSeconds(30), "the rows beyond the byte budget to be dropped");
            app.Registry().Versions(TrainedModels.HousePrices).Single().Written.Should().Be(0);
        }
    }

    /// <summary>A blob endpoint that accepts connections and never says a word: a store that hangs.</summary>
    private sealed class SilentBlobEndpoint : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly ConcurrentBag<Socket> _held = [];
        private readonly CancellationTokenSource _stop = new();

        private SilentBlobEndpoint()
        {
        }

        public string ContainerUrl { get; private set; } = "";

        public bool Accepted => !_held.IsEmpty;

        public static SilentBlobEndpoint Start()
        {
            var endpoint = new SilentBlobEndpoint();
            endpoint._listener.Start();
            var port = ((IPEndPoint)endpoint._listener.LocalEndpoint).Port;
            endpoint.ContainerUrl = $"http://127.0.0.1:{port}/devstoreaccount1/logs?sv=2024-11-04&sr=c&sp=racwl&se=2099-01-01T00%3A00%3A00Z&sig=c2lnbmF0dXJl";
            _ = Task.Run(async () =>
            {
                while (!endpoint._stop.IsCancellationRequested)
                {
                    endpoint._held.Add(await endpoint._listener.AcceptSocketAsync(endpoint._stop.Token));
                }
            });
            return endpoint;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            foreach (var socket in _held)
            {
                socket.Dispose();
            }

            _listener.Dispose();
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task A_client_request_id_is_kept_and_an_unsafe_one_is_refused()
    {
        await using var app = MonitoringApp.Create(Models, null);
        var client = await app.ReadyClientAsync();
        var instance = TrainedModels.Instance(Models.HousePricesMain);

        using var mine = new HttpRequestMessage(HttpMethod.Post, "/models/house-prices/predict") { Content = ServingApp.Instances(instance, instance) };
        mine.Headers.Add(PredictionIds.Header, "order-42.a_b");
        using var answer = await client.SendAsync(mine);
        var body = await ServingApp.JsonAsync(answer);
        body.GetProperty("id").GetString().Should().Be("order-42.a_b");
        body.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("id").GetString()).Should().Equal("order-42.a_b-0", "order-42.a_b-1");

        using var generated = await client.PostAsync("/models/house-prices/predict", ServingApp.Instances(instance));
        var id = generated.Headers.GetValues(PredictionIds.Header).Single();
        id.Should().MatchRegex("^[0-9a-f]{32}$");
        (await ServingApp.JsonAsync(generated)).GetProperty("predictions")[0].GetProperty("id").GetString().Should().Be(id);

        foreach (var bad in new[] { new string('a', 65), "a b", "a\"b", "ä", "a/b" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/models/house-prices/predict") { Content = ServingApp.Instances(instance) };
            request.Headers.TryAddWithoutValidation(PredictionIds.Header, bad);
            using var refused = await client.SendAsync(request);
            refused.StatusCode.Should().Be(HttpStatusCode.BadRequest, bad);
            (await ServingApp.JsonAsync(refused)).GetProperty("field").GetString().Should().Be(PredictionIds.Header);
        }
    }

    [Fact]
    public async Task Columns_the_manifest_excludes_are_left_out_of_the_log_and_still_measured_for_drift()
    {
        using var folder = new TempFolder("monitoring-exclude-");
        var version = folder.Combine("version");
        await Models.Store.DownloadAsync(Models.HousePricesMain, version);
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(version, "manifest.json")))!;
        manifest["monitoring"] = new System.Text.Json.Nodes.JsonObject { ["exclude"] = new System.Text.Json.Nodes.JsonArray("CRIM", "LSTAT") };
        await File.WriteAllTextAsync(Path.Combine(version, "manifest.json"), manifest.ToJsonString());
        var logs = folder.Combine("logs");

        var app = new ServingApp(Models, new Dictionary<string, string?>
        {
            ["Serving:Sources:0:Name"] = "private",
            ["Serving:Sources:0:Path"] = Path.Combine(version, "model.zip"),
            ["Serving:Monitoring:Models:private:LogPercent"] = "100",
            ["Serving:Monitoring:Store"] = logs,
        });
        await using (app)
        {
            var client = await app.ReadyClientAsync();
            using var response = await client.PostAsync("/models/private/predict", ServingApp.Instances(TrainedModels.Instance(Models.HousePricesMain)));
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            await Eventually.TrueAsync(() => app.Registry().Versions("private").SingleOrDefault()?.Logged == 1, TimeSpan.FromSeconds(30), "the row to be monitored");
            var report = await client.GetFromJsonAsync<JsonElement>("/models/private/monitoring");
            report.GetProperty("versions")[0].GetProperty("drift").GetProperty("columns").TryGetProperty("CRIM", out _).Should().BeTrue();
        }

        var store = new FileModelStore(logs);
        var file = (await store.ListRecordsAsync("private", RecordPaths.Logs)).Single();
        var inputs = JsonDocument.Parse(await store.ReadRecordsAsync("private", file)).RootElement.GetProperty("inputs");
        inputs.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(Models.HousePricesMain.Inputs.Select(i => i.Name).Except(["CRIM", "LSTAT"]));
    }
}
