using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using MLPipeline.TestSupport;

namespace MLPipeline.Training.Tests.Distributed;

/// <summary>
/// Azurite (blob and queue) with iris.csv uploaded as a blob, a halving spec that reads it by its blob URI, and that
/// spec's result trained in process once: the reference every distributed run must reproduce.
/// </summary>
public sealed class DistributedRunFixture : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private AzuriteServer? _azurite;
    private Lazy<Task<JsonObject>>? _reference;

    public AzuriteServer Azurite => _azurite!;

    public string SpecPath { get; private set; } = "";

    public string FailingSpecPath { get; private set; } = "";

    /// <summary>
    /// The console processes' environment: Azurite's connection string, and a temp folder of the fixture's own, so the
    /// files of the workers and coordinators the tests kill (fetched data, stored rows, staging folders) go with it.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["MLPIPELINE_STORAGE_CONNECTION_STRING"] = Azurite.ConnectionString,
        ["TMPDIR"] = Directory.CreateDirectory(_folder.Combine("temp")).FullName,
    };

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteServer.StartAsync(queue: true);
        var container = await _azurite.CreateContainerAsync("data");
        await _azurite.ServiceClient().GetBlobContainerClient(container).UploadBlobAsync("iris.csv", File.OpenRead(RepositoryRoot.Data("iris.csv")));
        var data = $"{_azurite.BlobEndpoint}/data/iris.csv";
        SpecPath = new TestSpec("iris-search", data, "species", "multiclass", JsonNode.Parse("""
                [{ "name": "LbfgsMaximumEntropy", "space": { "L2Regularization": { "float": [0.01, 10], "log": true }, "L1Regularization": { "float": [0.001, 1], "log": true } } }]
                """)!)
            .With("folds", 3).With("seed", 11).With("search", new { strategy = "halving", trials = 7, eta = 2, seed = 3 }).With("export", new { onnx = false })
            .WriteTo(_folder);

        // LightGbm refuses one leaf only once it trains: the trial throws on every attempt.
        FailingSpecPath = new TestSpec("iris-failing", data, "species", "multiclass", JsonNode.Parse("""[{ "name": "LightGbm", "options": { "NumberOfLeaves": 1 } }, "LbfgsMaximumEntropy"]""")!)
            .With("folds", 3).With("export", new { onnx = false }).WriteTo(_folder);
        _reference = new(TrainInProcessAsync);
    }

    /// <summary>The in-process run's manifest, without what differs from run to run by design.</summary>
    public Task<JsonObject> ReferenceAsync() => _reference!.Value;

    /// <summary>A fresh store container and queue name for one run.</summary>
    public async Task<(string Store, string Queue)> NewRunAsync()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        await Azurite.CreateContainerAsync($"models-{id}");
        return (Azurite.StoreUri($"models-{id}"), Azurite.QueueUri($"trials-{id}"));
    }

    public ConsoleProcess StartWorker(string store, string queue, int maxAttempts = 3, int idleExit = 30) =>
        ConsoleProcess.Start(Environment, "worker", "--queue", queue, "--store", store, "--visibility-timeout", "4", "--max-attempts", maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture), "--idle-exit", idleExit.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public QueueClient Queue(string queueUri) =>
        new QueueServiceClient(Azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }).GetQueueClient(new Uri(queueUri).Segments[^1]);

    /// <summary>A published manifest, without the parts that differ between any two runs: times and the model file's bytes (its zip has timestamps).</summary>
    public async Task<JsonObject> ManifestAsync(string store, string model = "iris-search")
    {
        var container = Azurite.ServiceClient().GetBlobContainerClient(new Uri(store).Segments[^1]);
        var text = (await container.GetBlobClient($"{model}/versions/v1/manifest.json").DownloadContentAsync()).Value.Content.ToString();
        return Comparable(text);
    }

    public async ValueTask DisposeAsyncCore()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        _folder.Dispose();
    }

    public async Task DisposeAsync() => await DisposeAsyncCore();

    private async Task<JsonObject> TrainInProcessAsync()
    {
        var (store, _) = await NewRunAsync();
        var result = await CliRunner.RunAsync(Environment, "train", SpecPath, "--store", store, "--version", "v1");
        result.ExitCode.Should().Be(0, result.Output);
        return await ManifestAsync(store);
    }

    private static JsonObject Comparable(string manifest)
    {
        var json = JsonNode.Parse(manifest)!.AsObject();
        json.Remove("createdUtc");
        json.Remove("timings");
        json.Remove("artifacts");
        foreach (var trial in json["search"]!["trials"]!.AsArray())
        {
            trial!.AsObject().Remove("seconds");
        }

        return json;
    }
}
