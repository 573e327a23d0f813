using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Azure.Storage.Sas;
using Microsoft.ML;
using MLPipeline.TestSupport;
using MLPipeline.Training.Data;
using MLPipeline.Training.Distributed;
using MLPipeline.Training.Search;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Tests.Distributed;

/// <summary>
/// Azurite's queue service for workers and coordinators run in this process (no console process, no training unless a
/// test asks for it), and a small grid spec over iris with its prepared data for the coordinator's side.
/// </summary>
public sealed class HostileQueueFixture : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private AzuriteServer? _azurite;
    private StoredRows? _rows;

    public AzuriteServer Azurite => _azurite!;

    public TrialEvaluator Evaluator { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteServer.StartAsync(queue: true);
        var path = new TestSpec("iris-grid", RepositoryRoot.Data("iris.csv"), "species", "multiclass", JsonNode.Parse("""
                [{ "name": "LbfgsMaximumEntropy", "grid": { "L2Regularization": [0.1, 1, 10] } }]
                """)!)
            .With("folds", 2).With("export", new { onnx = false }).WriteTo(_folder);
        var spec = SpecLoader.Load(path);
        _rows = StoredRows.Read(spec);
        var ml = new MLContext(spec.Seed);
        Evaluator = new TrialEvaluator(spec, PreparedData.Create(ml, spec, _rows.Profile, _rows.Load(ml)));
    }

    /// <summary>A new queue's URI with a SAS in it (as a worker or coordinator would be given), so the console's own connector is used.</summary>
    public string NewQueueUri()
    {
        var name = $"trials-{Guid.NewGuid():N}"[..20];
        var sas = new QueueServiceClient(Azurite.ConnectionString).GenerateAccountSasUri(
            AccountSasPermissions.All, DateTimeOffset.UtcNow.AddHours(1), AccountSasResourceTypes.All);
        return $"{Azurite.QueueEndpoint}/{name}{sas.Query}";
    }

    /// <summary>A client of the queue as anyone with access would write to it: no encoding unless asked for.</summary>
    public QueueClient Raw(string queueUri, bool base64 = true) =>
        new QueueServiceClient(Azurite.ConnectionString, new QueueClientOptions { MessageEncoding = base64 ? QueueMessageEncoding.Base64 : QueueMessageEncoding.None })
            .GetQueueClient(new Uri(queueUri).Segments[^1]);

    public async Task DisposeAsync()
    {
        _rows?.Dispose();
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        _folder.Dispose();
    }
}
