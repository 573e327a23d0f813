using Azure;
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

    /// <summary>Told (by <see cref="Connect"/>'s clients) of each message that could not be decoded and went to the poison queue.</summary>
    public Action<string>? Undecodable { get; set; }

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
        TrialQueues? made = null;

        // A message that is not base64 (written by another tool) would make every receive throw, on every worker, for
        // as long as it exists: it goes to the poison queue as it came instead, and the receive goes on without it.
        // (The handler belongs to the options the clients are made with, so it finds them through `made`.)
        options.MessageDecodingFailed += async args =>
        {
            if (args.ReceivedMessage is not { } message || made is null)
            {
                return;
            }

            var poison = made.Poison;

            if (args.IsRunningSynchronously)
            {
                poison.SendMessage(message.Body, timeToLive: TimeSpan.FromSeconds(-1));
                args.Queue.DeleteMessage(message.MessageId, message.PopReceipt);
            }
            else
            {
                await poison.SendMessageAsync(message.Body, timeToLive: TimeSpan.FromSeconds(-1), cancellationToken: args.CancellationToken);
                await args.Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, args.CancellationToken);
            }

            made.Undecodable?.Invoke($"message {message.MessageId} is not a trial (not base64); moved to the poison queue {poison.Name}");
        };
        options.Retry.MaxRetries = 3;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        var service = new QueueUriBuilder(uri) { QueueName = "", Sas = null, Query = null }.ToUri();
        TrialQueues Made(QueueClient trials, QueueClient poison) => made = new TrialQueues(trials, poison, display);

        if (sas is not null)
        {
            return Made(
                new QueueClient(new QueueUriBuilder(uri) { QueueName = name }.ToUri(), options),
                new QueueClient(new UriBuilder(new QueueUriBuilder(service) { QueueName = name + PoisonSuffix }.ToUri()) { Query = sas }.Uri, options));
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

            return Made(client.GetQueueClient(name), client.GetQueueClient(name + PoisonSuffix));
        }

        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"Queue {display}: no SAS in the URI and no connection string in {BlobStoreOptions.ConnectionStringVariable}, and a token credential needs https.");
        }

        TokenCredential credential = new DefaultAzureCredential();
        return Made(
            new QueueClient(new QueueUriBuilder(service) { QueueName = name }.ToUri(), credential, options),
            new QueueClient(new QueueUriBuilder(service) { QueueName = name + PoisonSuffix }.ToUri(), credential, options));
    }

    public async Task CreateIfMissingAsync(CancellationToken cancellationToken)
    {
        await CallAsync("create", () => Trials.CreateIfNotExistsAsync(cancellationToken: cancellationToken));
        await CallAsync("create", () => Poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken));
    }

    /// <summary>
    /// One queue call; a failure left after the SDK's retries (unreachable, refused, no such account) becomes a store
    /// error naming the queue (exit code 4) instead of an exception the console does not know.
    /// </summary>
    /// <exception cref="QueueFailedException">The queue did not answer, or refused the call.</exception>
    public async Task<T> CallAsync<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (Failure(ex) is { } reason)
        {
            throw new QueueFailedException($"Queue {Display}: cannot {what} ({reason}); check the URI, the credentials and that the queue service is up.", ex);
        }
    }

    public Task CallAsync(string what, Func<Task> call) => CallAsync(what, async () =>
    {
        await call();
        return true;
    });

    /// <summary>Whether a failed call found its message gone: deleted by another worker, or taken again after its visibility ran out.</summary>
    public static bool IsMessageGone(Exception ex) => (ex is QueueFailedException { InnerException: { } inner } ? inner : ex) is RequestFailedException failed
        && (failed.Status == 404 || failed.ErrorCode == "PopReceiptMismatch");

    private static string? Failure(Exception ex) => ex switch
    {
        RequestFailedException { Status: > 0 } failed => $"{failed.Status} {failed.ErrorCode}".TrimEnd(),
        RequestFailedException failed => failed.Message,
        AggregateException { InnerExceptions: [RequestFailedException first, ..] } => $"no answer after retries: {first.Message}",
        _ => null,
    };
}

/// <summary>A trial queue could not be reached or refused a call (a store error: exit code 4).</summary>
public sealed class QueueFailedException(string message, Exception inner) : ModelStoreException(message, inner);
