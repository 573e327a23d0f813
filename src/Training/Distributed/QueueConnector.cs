using Azure.Core;
using Azure.Identity;
using Azure.Storage.Queues;
using MLPipeline.Shared.Store;

namespace MLPipeline.Training.Distributed;

/// <summary>
/// A trial queue from its URI (<c>https://&lt;account&gt;.queue.core.windows.net/&lt;queue&gt;</c>, Azurite:
/// <c>http://127.0.0.1:&lt;port&gt;/devstoreaccount1/&lt;queue&gt;</c>) with the store's credential chain: a SAS in the URI,
/// else the connection string in MLPIPELINE_STORAGE_CONNECTION_STRING, else DefaultAzureCredential. Its poison queue
/// is the same name with <c>-poison</c>.
/// </summary>
public sealed record TrialQueues(QueueClient Trials, QueueClient Poison, string Display)
{
    public const string PoisonSuffix = "-poison";

    /// <exception cref="ArgumentException">The URI names no queue (exit code 1).</exception>
    public static TrialQueues Connect(string queueUri)
    {
        if (!Uri.TryCreate(queueUri, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"--workers/--queue '{queueUri}' is not a queue URI: use https://<account>.queue.core.windows.net/<queue> or http://127.0.0.1:<port>/devstoreaccount1/<queue> for Azurite.");
        }

        var builder = new QueueUriBuilder(uri);
        var sas = string.IsNullOrEmpty(builder.Sas?.Signature) ? null : builder.Sas.ToString();
        builder.Sas = null;
        builder.Query = null;
        var display = builder.ToUri().ToString().TrimEnd('/');
        if (string.IsNullOrEmpty(builder.QueueName) || builder.QueueName.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Queue '{display}' names no queue: add it to the path, e.g. {display}/trials.");
        }

        var name = builder.QueueName;
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        options.Retry.MaxRetries = 3;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        var service = new QueueUriBuilder(uri) { QueueName = "", Sas = null, Query = null }.ToUri();
        if (sas is not null)
        {
            return new TrialQueues(
                new QueueClient(new QueueUriBuilder(uri) { QueueName = name }.ToUri(), options),
                new QueueClient(new UriBuilder(new QueueUriBuilder(service) { QueueName = name + PoisonSuffix }.ToUri()) { Query = sas }.Uri, options),
                display);
        }

        var connectionString = Environment.GetEnvironmentVariable(BlobStoreOptions.ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            QueueServiceClient client;
            try
            {
                client = new QueueServiceClient(connectionString, options);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                // The exception text may quote the connection string: never pass it on.
                throw new ArgumentException($"Queue {display}: {BlobStoreOptions.ConnectionStringVariable} is not a valid storage connection string.");
            }

            var expected = service.GetLeftPart(UriPartial.Path).TrimEnd('/');
            var actual = client.Uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
            if (!string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Queue {display}: {BlobStoreOptions.ConnectionStringVariable} is for the queue endpoint {actual}, not {expected}; use the connection string of the queue's account (with QueueEndpoint= for Azurite) or put a SAS in the URI.");
            }

            return new TrialQueues(client.GetQueueClient(name), client.GetQueueClient(name + PoisonSuffix), display);
        }

        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"Queue {display}: no SAS in the URI and no connection string in {BlobStoreOptions.ConnectionStringVariable}, and a token credential needs https.");
        }

        TokenCredential credential = new DefaultAzureCredential();
        return new TrialQueues(
            new QueueClient(new QueueUriBuilder(service) { QueueName = name }.ToUri(), credential, options),
            new QueueClient(new QueueUriBuilder(service) { QueueName = name + PoisonSuffix }.ToUri(), credential, options),
            display);
    }

    public async Task CreateIfMissingAsync(CancellationToken cancellationToken)
    {
        await Trials.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await Poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
    }
}
