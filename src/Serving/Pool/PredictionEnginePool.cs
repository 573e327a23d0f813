using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using MLPipeline.Serving.Loading;
using MLPipeline.Serving.Observability;

namespace MLPipeline.Serving.Pool;

/// <summary>
/// Named models, each serving one generation at a time, with engines rented from that generation's object pool. A load
/// fetches, verifies, warms up and only then swaps; a failed load leaves the serving generation untouched.
/// This is the dynamic face: it predicts any model from its manifest, with no C# class per model.
/// </summary>
public sealed class PredictionEnginePool : IDisposable
{
    private readonly ConcurrentDictionary<string, ModelSlot> _slots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ModelSlot> _onDemand = new(StringComparer.Ordinal);
    private readonly ServingMetrics _metrics;
    private readonly ILogger _logger;
    private volatile bool _discoveryComplete;

    public PredictionEnginePool(IEnumerable<ModelRegistration> registrations, IServiceProvider services, ServingMetrics metrics, ILogger<PredictionEnginePool> logger)
        : this(metrics, logger)
    {
        foreach (var registration in registrations)
        {
            Register(registration.Name, registration.CreateLoader(services));
        }
    }

    public PredictionEnginePool(ServingMetrics? metrics = null, ILogger<PredictionEnginePool>? logger = null)
    {
        _metrics = metrics ?? new ServingMetrics();
        _logger = logger ?? NullLogger<PredictionEnginePool>.Instance;
    }

    /// <summary>The configured models, by name.</summary>
    public IReadOnlyList<ModelSlot> Models => [.. _slots.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];

    /// <summary>Versions loaded on demand by the version and alias routes, keyed <c>name:version</c>.</summary>
    public IReadOnlyList<ModelSlot> OnDemandVersions => [.. _onDemand.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];

    /// <summary>Every configured model is loaded (and the list of models is known).</summary>
    public bool IsReady => _discoveryComplete && !_slots.IsEmpty && _slots.Values.All(s => s.Current is not null);

    /// <summary>Set once every model source has been registered (store discovery done).</summary>
    public void MarkDiscoveryComplete() => _discoveryComplete = true;

    public ModelSlot Register(string name, IModelLoader loader)
    {
        var slot = new ModelSlot(name, loader, required: true);
        return _slots.TryAdd(name, slot) ? slot : throw new InvalidOperationException($"Model '{name}' is registered twice.");
    }

    public ModelSlot? Find(string name) => _slots.GetValueOrDefault(name);

    /// <summary>A slot for one more version of a model, created on first use and kept (at most <paramref name="limit"/> of them).</summary>
    public ModelSlot GetOrAddVersion(string key, Func<IModelLoader> createLoader, int limit)
    {
        if (_onDemand.TryGetValue(key, out var existing))
        {
            return existing;
        }

        if (_onDemand.Count >= limit)
        {
            throw new ServingException(StatusCodes.Status503ServiceUnavailable, "Too many versions loaded",
                $"Already serving {limit} extra versions on demand (Serving:Limits:MaxOnDemandVersions); '{key}' is not loaded.");
        }

        return _onDemand.GetOrAdd(key, k => new ModelSlot(k, createLoader(), required: false));
    }

    /// <summary>Loads the slot's source now and swaps the new generation in (also the reload-on-demand path).</summary>
    /// <exception cref="ModelSourceException">The new version could not be fetched, loaded or warmed up; the old one keeps serving.</exception>
    public Task<ModelGeneration> LoadAsync(ModelSlot slot, CancellationToken cancellationToken = default) =>
        LoadAsync(slot, onlyIfEmpty: false, cancellationToken);

    /// <summary>Loads the slot now; with <paramref name="acceptSchemaChange"/> a new version may take other inputs than the served one.</summary>
    public Task<ModelGeneration> LoadAsync(ModelSlot slot, bool acceptSchemaChange, CancellationToken cancellationToken) =>
        LoadAsync(slot, onlyIfEmpty: false, cancellationToken, acceptSchemaChange);

    private async Task<ModelGeneration> LoadAsync(ModelSlot slot, bool onlyIfEmpty, CancellationToken cancellationToken, bool acceptSchemaChange = false)
    {
        await slot.LoadLock.WaitAsync(cancellationToken);
        try
        {
            if (onlyIfEmpty && slot.Current is { } loaded)
            {
                return loaded;
            }

            slot.LastAttemptUtc = DateTimeOffset.UtcNow;
            var package = await slot.Loader.FetchAsync(cancellationToken);
            var generation = await Task.Run(() => ModelActivator.Activate(slot.Name, package), cancellationToken);
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
            _logger.LogInformation("Model {Model} now serves version {Version} from {Source}.", slot.Name, generation.Version, package.Source);
            return generation;
        }
        catch (ModelSourceException ex)
        {
            RecordFailure(slot, ex.Message);
            throw;
        }
        finally
        {
            slot.LoadLock.Release();
        }
    }

    /// <summary>
    /// Records a failed load or source check: counted every time, logged once per distinct error (a retry that fails
    /// the same way stays quiet), and the slot keeps serving what it has.
    /// </summary>
    public void RecordFailure(ModelSlot slot, string error)
    {
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

    /// <summary>Stops serving a model removed from the configuration; requests in flight finish on its generation.</summary>
    public bool Unregister(string name)
    {
        if (!_slots.TryRemove(name, out var slot))
        {
            return false;
        }

        slot.Unload();
        _logger.LogInformation("Model {Model} is no longer served.", name);
        return true;
    }

    /// <summary>Loads the slot unless a generation is already in place (concurrent first requests load once).</summary>
    public Task EnsureLoadedAsync(ModelSlot slot, CancellationToken cancellationToken = default) =>
        LoadAsync(slot, onlyIfEmpty: true, cancellationToken);

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
        foreach (var slot in _slots.Values.Concat(_onDemand.Values))
        {
            slot.Unload();
        }
    }
}
