using Azure.Core;

namespace MLPipeline.Shared.Store;

/// <summary>How a blob store authenticates and how hard it retries before it reports the store as failing.</summary>
public sealed record BlobStoreOptions
{
    /// <summary>The environment variable (and configuration key) that holds a storage connection string.</summary>
    public const string ConnectionStringVariable = "MLPIPELINE_STORAGE_CONNECTION_STRING";

    /// <summary>
    /// A storage connection string (account key or SAS), used when the URI carries no SAS. Null: the
    /// environment variable <see cref="ConnectionStringVariable"/>, else <see cref="Credential"/>.
    /// </summary>
    public string? ConnectionString { get; init; }

    /// <summary>The token credential used when there is neither a SAS nor a connection string (default: DefaultAzureCredential).</summary>
    public TokenCredential? Credential { get; init; }

    /// <summary>
    /// Retries after the first attempt for transient failures (network errors, 408/429/5xx). Authentication (403) and
    /// not-found (404) answers are final and never retried. With the delays below a dead endpoint is reported after
    /// about 1.75 s instead of the SDK's default of minutes: a store that does not answer fails fast and clearly.
    /// </summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>First back-off delay; it doubles per retry (exponential) up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Per-attempt timeout of one HTTP request (the SDK default is 100 s).</summary>
    public TimeSpan NetworkTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The defaults, with the connection string taken from the environment.</summary>
    public static BlobStoreOptions FromEnvironment() =>
        new() { ConnectionString = Environment.GetEnvironmentVariable(ConnectionStringVariable) };
}
