using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using MLPipeline.Serving.Observability;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Sources;

namespace MLPipeline.Serving.Pool;

/// <summary>
/// Named models, each serving one generation at a time, with engines rented from that generation's object pool. A load
/// fetches, verifies, warms up and only then swaps; a failed load leaves the serving generation untouched.
/// This is the dynamic face: it predicts any model from its manifest, with no C# class per model. Who loads when is the
/// lifecycle's business (Lifecycle/ModelLifecycle); the pool only does one load when asked.
/// </summary>
public sealed class PredictionEnginePool : IDisposable
{
    private readonly ConcurrentDictionary<string, ModelSlot> _slots = new(StringComparer.Ordinal);
    private readonly ServingMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ModelSizeLimits _sizeLimits;
    private readonly BatchEngineChoice _batchEngine;
    private readonly int _maxBatch;
    private readonly OnnxRuntimeOptions _onnxRuntime;
    private volatile bool _discoveryRequired;
    private volatile bool _discoveryComplete;

    public PredictionEnginePool(IEnumerable<ModelRegistration> registrations, IServiceProvider services, ServingMetrics metrics, ILogger<PredictionEnginePool> logger, LimitOptions? limits = null, BatchEngineChoice batchEngine = BatchEngineChoice.Auto, OnnxRuntimeOptions? onnxRuntime = null)
        : this(metrics, logger, limits, batchEngine, onnxRuntime)
    {
        foreach (var registration in registrations)
        {
            Register(registration.Name, registration.CreateSource(services));
        }
    }

    public PredictionEnginePool(ServingMetrics? metrics = null, ILogger<PredictionEnginePool>? logger = null, LimitOptions? limits = null, BatchEngineChoice batchEngine = BatchEngineChoice.Auto, OnnxRuntimeOptions? onnxRuntime = null)
    {
        _onnxRuntime = onnxRuntime ?? new OnnxRuntimeOptions();
        limits ??= new LimitOptions();
        _batchEngine = batchEngine;
        _maxBatch = limits.MaxBatchSize;
        _metrics = metrics ?? new ServingMetrics();
        _logger = logger ?? NullLogger<PredictionEnginePool>.Instance;
        _sizeLimits = limits.ModelSize;
        OnDemand = new OnDemandVersions(limits.MaxOnDemandVersions, limits.MaxOnDemandBytes);
    }

    /// <summary>A model was registered or removed (the lifecycle service starts or stops its loop).</summary>
    public event Action? ModelsChanged;

    /// <summary>The configured models, by name.</summary>
    public IReadOnlyList<ModelSlot> Models => [.. _slots.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];

    /// <summary>Versions loaded on demand by the version and alias routes.</summary>
    public OnDemandVersions OnDemand { get; }

    /// <summary>
    /// The list of models is known (discovery ran once, when there is one), every model has loaded or failed its first
    /// load, and at least one serves. A model that cannot load shows as failed in GET /models and in the metrics; it
    /// does not take every other model out of the load balancer with it.
    /// </summary>
    public bool IsReady =>
        (!_discoveryRequired || _discoveryComplete)
        && _slots.Values.Any(s => s.Current is not null)
        && _slots.Values.All(s => s.Current is not null || s.LoadFailures > 0);

    /// <summary>Called by a discovery: readiness waits for its first complete pass.</summary>
    public void RequireDiscovery() => _discoveryRequired = true;

    /// <summary>The discovery's first pass is done: every model it found is registered.</summary>
    public void MarkDiscoveryComplete() => _discoveryComplete = true;

    public ModelSlot Register(string name, IModelSource source)
    {
        var slot = new ModelSlot(name, source, required: true);
        if (!_slots.TryAdd(name, slot))
        {
            throw new InvalidOperationException($"Model '{name}' is registered twice.");
        }

        ModelsChanged?.Invoke();
        return slot;
    }

    public ModelSlot? Find(string name) => _slots.GetValueOrDefault(name);

    /// <summary>Stops serving a model; requests in flight finish on its generation.</summary>
    public bool Unregister(string name)
    {
        if (!_slots.TryRemove(name, out var slot))
        {
            return false;
        }

        slot.Unload();
        _logger.LogInformation("Model {Model} is no longer served.", name);
        ModelsChanged?.Invoke();
        return true;
    }

    /// <summary>Loads the slot's source now and swaps the new generation in.</summary>
    /// <exception cref="ModelSourceException">The new version could not be fetched, loaded or warmed up; the old one keeps serving.</exception>
    public Task<ModelGeneration> LoadAsync(ModelSlot slot, CancellationToken cancellationToken = default) =>
        LoadAsync(slot, onlyIfEmpty: false, acceptSchemaChange: false, cancellationToken);

    /// <summary>Loads the slot now; with <paramref name="acceptSchemaChange"/> a new version may take other inputs than the served one.</summary>
    public Task<ModelGeneration> LoadAsync(ModelSlot slot, bool acceptSchemaChange, CancellationToken cancellationToken) =>
        LoadAsync(slot, onlyIfEmpty: false, acceptSchemaChange, cancellationToken);

    /// <summary>Loads the slot unless a generation is already in place (concurrent first requests load once).</summary>
    public Task<ModelGeneration> EnsureLoadedAsync(ModelSlot slot, CancellationToken cancellationToken = default) =>
        LoadAsync(slot, onlyIfEmpty: true, acceptSchemaChange: false, cancellationToken);

    private async Task<ModelGeneration> LoadAsync(ModelSlot slot, bool onlyIfEmpty, bool acceptSchemaChange, CancellationToken cancellationToken)
    {
        await slot.LoadLock.WaitAsync(cancellationToken);
        try
        {
            if (onlyIfEmpty && slot.Current is { } loaded)
            {
                return loaded;
            }

            slot.LastAttemptUtc = DateTimeOffset.UtcNow;
            var package = await slot.Source.FetchAsync(cancellationToken);
            var generation = await Task.Run(() => ModelActivator.Activate(slot.Name, package, _sizeLimits, _batchEngine, _maxBatch, _onnxRuntime), cancellationToken);
            if (!acceptSchemaChange && slot.Current is { } served && SchemaCompatibility.Check(served.Manifest, generation.Manifest) is { } breach)
            {
                generation.Release();
                throw new ModelSourceException($"{package.Source}: version {generation.Version} {breach}; version {served.Version} keeps serving (reload with acceptSchemaChange=true to declare the change).");
            }

            var previous = slot.Swap(generation);
            slot.Status = ModelSlotStatus.Ready;
            slot.LastError = null;
            slot.Loads++;
            _metrics.Loaded(slot.Name, previous?.Version, generation.Version);
            _logger.LogInformation("Model {Model} now serves version {Version} from {Source}.", slot.Name, generation.Version, slot.Source.Description);
            return generation;
        }
        catch (ModelSourceException ex)
        {
            RecordFailure(slot, ex);
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // A source that throws something it should not (a custom source, an SDK timeout) fails this load only.
            var failure = new ModelSourceException($"{slot.Source.Location}: loading failed unexpectedly ({ex.GetType().Name}); see the service log.", ex);
            RecordFailure(slot, failure);
            throw failure;
        }
        finally
        {
            slot.LoadLock.Release();
        }
    }

    /// <summary>
    /// Records a failed load or source check: counted every time, logged once per distinct error (a retry that fails
    /// the same way stays quiet), and the slot keeps serving what it has. The SDK's own text goes to the log at Debug.
    /// </summary>
    public void RecordFailure(ModelSlot slot, ModelSourceException failure)
    {
        var error = failure.Message;
        var repeated = string.Equals(slot.LastError, error, StringComparison.Ordinal);
        slot.LastError = error;
        slot.LastAttemptUtc = DateTimeOffset.UtcNow;
        slot.LoadFailures++;
        slot.Status = slot.Current is null ? ModelSlotStatus.Failed : ModelSlotStatus.Degraded;
        _metrics.LoadFailed(slot.Name);
        if (repeated)
        {
            _logger.LogDebug("Model {Model}: load failed again: {Error}", slot.Name, error);
        }
        else
        {
            _logger.LogError("Model {Model}: load failed: {Error}", slot.Name, error);
        }

        if (failure.InnerException is { } cause)
        {
            _logger.LogDebug(cause, "Model {Model}: the failure's cause.", slot.Name);
        }
    }

    /// <summary>A source check found the served version current: a past failure (e.g. storage down) is over.</summary>
    public static void RecordUnchanged(ModelSlot slot)
    {
        slot.LastAttemptUtc = DateTimeOffset.UtcNow;
        if (slot.Current is not null && slot.Status != ModelSlotStatus.Ready)
        {
            slot.Status = ModelSlotStatus.Ready;
            slot.LastError = null;
        }
    }

    public Task<ModelGeneration> LoadAsync(string name, CancellationToken cancellationToken = default) =>
        LoadAsync(Find(name) ?? throw new UnknownModelException($"Model '{name}' is not served."), cancellationToken);

    /// <summary>Rents a dynamic engine of the model's current generation; dispose the lease to give it back.</summary>
    /// <exception cref="UnknownModelException">No such model.</exception>
    /// <exception cref="ModelNotReadyException">The model has not loaded yet.</exception>
    public DynamicLease Rent(string name) => Rent(Find(name) ?? throw new UnknownModelException($"Model '{name}' is not served."));

    public static DynamicLease Rent(ModelSlot slot)
    {
        var generation = Acquire(slot);
        try
        {
            return new DynamicLease(slot, generation);
        }
        catch
        {
            generation.Release();
            throw;
        }
    }

    /// <summary>Takes a reference on the slot's current generation (release it with the lease).</summary>
    internal static ModelGeneration Acquire(ModelSlot slot) =>
        slot.Acquire() ?? throw new ModelNotReadyException(
            $"Model '{slot.Name}' has no version loaded yet{(slot.LastError is null ? "" : $"; last error: {slot.LastError}")}.");

    public void Dispose()
    {
        foreach (var slot in _slots.Values)
        {
            slot.Unload();
            slot.Source.Dispose();
        }

        OnDemand.Clear();
    }
}
