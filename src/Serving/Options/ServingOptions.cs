using MLPipeline.Serving.Rollout;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Options;

/// <summary>The <c>Serving</c> configuration section (appsettings.json, or environment variables such as <c>Serving__Store</c>).</summary>
public sealed class ServingOptions
{
    public const string Section = "Serving";
    public const string StoreEnvironmentVariable = "MLPIPELINE_STORE";

    /// <summary>Model store location (folder path or file:// URI). Default: $MLPIPELINE_STORE, else ./models from the current directory.</summary>
    public string? Store { get; set; }

    /// <summary>The alias served for each store model; a model without it serves its newest version.</summary>
    public string Alias { get; set; } = "production";

    /// <summary>Store models to serve (<c>name</c>, <c>name@alias</c> or <c>name:version</c>). Empty: every model in the store.</summary>
    public List<string> Models { get; set; } = [];

    /// <summary>Models loaded straight from a model.zip path or blob URI, outside any store.</summary>
    public List<ModelSourceOptions> Sources { get; set; } = [];

    /// <summary>API keys, each with an id and a role; when any is set, predict and admin routes require one.</summary>
    public List<ApiKeyOptions> ApiKeys { get; set; } = [];

    public JwtOptions Jwt { get; set; } = new();

    public LimitOptions Limits { get; set; } = new();

    public RateLimitOptions RateLimit { get; set; } = new();

    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

    /// <summary>The web pages at /ui.</summary>
    public UiOptions Ui { get; set; } = new();

    /// <summary>Hot reload: how sources are watched for new versions.</summary>
    public ReloadOptions Reload { get; set; } = new();

    /// <summary>Rollouts: following rollout.json, figures, shadow copies (docs/rollout.md).</summary>
    public RolloutOptions Rollout { get; set; } = new();

    /// <summary>Base of relative store and source paths; default the current directory (`dotnet run` passes the directory it was started from).</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>Which engine scores batches: measured per version at load (default), or always ML.NET, or ONNX Runtime.</summary>
    public BatchEngineChoice BatchEngine { get; set; }

    /// <summary>Prediction log, feedback, live quality and drift (docs/monitoring.md); off unless a share is set.</summary>
    public Monitoring.MonitoringOptions Monitoring { get; set; } = new();

    /// <summary>ONNX Runtime session options for imported ONNX models (Serving:Onnx).</summary>
    public OnnxRuntimeOptions Onnx { get; set; } = new();

    /// <summary>Maps <c>POST /baseline</c>, a constant JSON answer used only to measure the HTTP stack's own cost.</summary>
    public bool BaselineEndpoint { get; set; }

    /// <summary>The store location to open: configuration, then the environment, then ./models resolved from the current directory.</summary>
    public string ResolveStoreLocation()
    {
        var location = !string.IsNullOrWhiteSpace(Store) ? Store : Environment.GetEnvironmentVariable(StoreEnvironmentVariable);
        if (string.IsNullOrWhiteSpace(location))
        {
            location = ModelStoreFactory.DefaultLocation;
        }

        // `dotnet run --project src/Serving` runs in the project folder, but the user means the folder they are in.
        return Uri.TryCreate(location, UriKind.Absolute, out _) ? location : ResolvePath(location);
    }

    /// <summary>A path relative to <see cref="WorkingDirectory"/>, else to the current directory.</summary>
    public string ResolvePath(string path) =>
        Path.GetFullPath(path, string.IsNullOrWhiteSpace(WorkingDirectory) ? Directory.GetCurrentDirectory() : WorkingDirectory);
}

/// <summary>A model served from one model.zip, by path or by blob URI (a manifest.json beside it is used when present).</summary>
public sealed class ModelSourceOptions
{
    public string Name { get; set; } = "";
    public string? Path { get; set; }
    public string? Uri { get; set; }
}

/// <summary>Optional Entra ID (or any OpenID Connect) bearer tokens, accepted beside API keys.</summary>
public sealed class JwtOptions
{
    public string? Authority { get; set; }
    public string? Audience { get; set; }

    /// <summary>The app role (<c>roles</c> claim) or scope (<c>scp</c> claim) that grants the predict role.</summary>
    public string? PredictRole { get; set; }

    /// <summary>The app role or scope that grants the admin role.</summary>
    public string? AdminRole { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}

public sealed class LimitOptions
{
    /// <summary>Largest accepted request body in bytes (413 beyond).</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Most instances in one predict request (400 beyond).</summary>
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>Most extra versions loaded on demand by the version and alias routes (least recently used idle ones make room).</summary>
    public int MaxOnDemandVersions { get; set; } = 4;

    /// <summary>Most bytes of model.zip files held by versions loaded on demand (their estimated memory).</summary>
    public long MaxOnDemandBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Largest model.zip a source may deliver; a larger one is not downloaded.</summary>
    public long MaxModelBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Largest total of model.zip's entries once inflated; a larger archive (a zip bomb) is not loaded.</summary>
    public long MaxModelUncompressedBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    public ModelSizeLimits ModelSize => new(MaxModelBytes, MaxModelUncompressedBytes);

    /// <summary>
    /// Predict and admin requests served at once; more get 503 with Retry-After. Default 16 per processor: enough to
    /// keep every core busy while some requests wait on I/O, few enough that a request never queues behind hundreds.
    /// 0 turns the limit off.
    /// </summary>
    public int MaxConcurrentRequests { get; set; } = 16 * Environment.ProcessorCount;

    /// <summary>Requests that may wait for a free slot before the rest get 503 (default 0: the slots already oversubscribe the cores).</summary>
    public int ConcurrencyQueue { get; set; }
}

public sealed class RateLimitOptions
{
    /// <summary>
    /// Requests per second per authenticated caller (API key id, JWT subject; the client address when auth is off).
    /// Default 0 = no per-caller limit: one client may use the whole service; overload is shed by
    /// <see cref="LimitOptions.MaxConcurrentRequests"/>. Set it when callers share a service and one must not starve the rest.
    /// </summary>
    public int PermitsPerSecond { get; set; }

    /// <summary>Requests a caller may send at once above the steady rate (the bucket size); 0 = PermitsPerSecond.</summary>
    public int Burst { get; set; }
}
