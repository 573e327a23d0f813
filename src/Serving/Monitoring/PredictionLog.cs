using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using MLPipeline.Serving.Discovery;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Monitoring;

/// <summary>
/// The background half of monitoring. One loop takes monitored rows off the queue, updates their version's windows
/// (feedback joins, drift) and gathers them into JSON Lines files per (model, version, hour); a file is handed to the
/// store writer when it has <c>BatchRows</c> rows, an eighth of <c>QueueBytes</c>, or its oldest row waited
/// <c>FlushInterval</c>. A second loop writes files to the store, one at a time; when the rows waiting for the store
/// would pass <c>QueueCapacity</c>, or their bytes <c>QueueBytes</c> (<see cref="LogMemoryBudget"/>), whole files are
/// dropped and counted, so a slow or hanging store never reaches the request path and memory stays bounded. Stopping drains both: every row
/// still queued is written before the host's shutdown timeout.
/// </summary>
public sealed class PredictionLog : IHostedService, IDisposable
{
    private readonly MonitoringRegistry _registry;
    private readonly ServingStore _servingStore;
    private readonly ILogger<PredictionLog> _logger;
    private readonly MonitoringOptions _options;
    private readonly Channel<PendingFile> _files;
    private readonly Dictionary<(string Model, string? Version, DateTimeOffset Hour), PendingFile> _pending = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly Lazy<IModelStore> _store;
    private readonly long _maxFileBytes;
    private long _sequence;
    private long _waitingRows;
    private DateTimeOffset _nextExpiry;
    private Task _loops = Task.CompletedTask;

    public PredictionLog(MonitoringRegistry registry, ServingStore servingStore, ILogger<PredictionLog> logger)
    {
        _registry = registry;
        _servingStore = servingStore;
        _logger = logger;
        _options = registry.Options;
        Replica = _options.Replica ?? DefaultReplica();
        _files = Channel.CreateUnbounded<PendingFile>(new UnboundedChannelOptions { SingleReader = true });
        _store = new(() => _options.Store is { Length: > 0 } location ? ModelStoreFactory.Open(location) : _servingStore.Store);

        // A file being gathered is written out before it holds a large share of the budget, so a few rows of long texts
        // do not sit in one file up to BatchRows.
        _maxFileBytes = Math.Max(64 * 1024, _options.QueueBytes / 8);
    }

    /// <summary>This replica's name in log file names.</summary>
    public string Replica { get; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_registry.IsActive)
        {
            _loops = Task.WhenAll(Task.Run(GatherAsync, CancellationToken.None), Task.Run(WriteAsync, CancellationToken.None));
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _registry.CompleteQueue();
        using var giveUp = cancellationToken.Register(_abort.Cancel);
        await _loops.WaitAsync(Timeout.InfiniteTimeSpan, CancellationToken.None);
    }

    public void Dispose() => _abort.Dispose();

    /// <summary>Logs feedback items (off the request path like predictions: the file is written by the store loop).</summary>
    internal void AppendFeedback(string model, IReadOnlyList<Action<Utf8JsonWriter>> lines)
    {
        var now = DateTimeOffset.UtcNow;
        lock (_lock)
        {
            foreach (var line in lines)
            {
                var file = PendingFor(model, null, now);
                file.Append(line);
                if (file.Rows >= _options.BatchRows)
                {
                    Emit(file);
                }
            }
        }
    }

    private async Task GatherAsync()
    {
        var reader = _registry.Queue;
        var more = true;
        while (more)
        {
            using (var wait = new CancellationTokenSource(_options.FlushInterval))
            {
                try
                {
                    more = await reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }

            while (reader.TryRead(out var prediction))
            {
                var version = _registry.VersionOf(prediction.Model, prediction.Generation.Manifest);
                version.Observed(prediction);
                lock (_lock)
                {
                    var file = PendingFor(prediction.Model, prediction.Version, prediction.Time);
                    file.Append(w => RecordJson.WritePrediction(w, prediction, Replica));
                    _registry.Budget.Give(prediction.Bytes);
                    if (file.Rows >= _options.BatchRows || file.Content.Length >= _maxFileBytes)
                    {
                        Emit(file);
                    }
                }
            }

            ExpireJoinWindows();
            lock (_lock)
            {
                var due = DateTimeOffset.UtcNow - _options.FlushInterval;
                foreach (var file in _pending.Values.Where(f => f.Started <= due || !more).ToList())
                {
                    Emit(file);
                }
            }
        }

        _files.Writer.TryComplete();
    }

    /// <summary>
    /// Drops predictions older than the join window's age from every version, at most once a second: a version that no
    /// longer serves (reloaded, rolled back, removed) gets no more rows or feedback, which were the only calls that did.
    /// </summary>
    private void ExpireJoinWindows()
    {
        var now = DateTimeOffset.UtcNow;
        if (now < _nextExpiry)
        {
            return;
        }

        _nextExpiry = now + TimeSpan.FromSeconds(1);
        foreach (var version in _registry.AllVersions)
        {
            version.Joins.Expire(now);
        }
    }

    private PendingFile PendingFor(string model, string? version, DateTimeOffset time)
    {
        var hour = new DateTimeOffset(time.UtcDateTime.Date.AddHours(time.UtcDateTime.Hour), TimeSpan.Zero);
        if (!_pending.TryGetValue((model, version, hour), out var file))
        {
            file = new PendingFile(model, version, hour, DateTimeOffset.UtcNow);
            _pending[(model, version, hour)] = file;
        }

        return file;
    }

    private void Emit(PendingFile file)
    {
        _pending.Remove((file.Model, file.Version, file.Hour));
        file.Complete();
        if (Interlocked.Add(ref _waitingRows, file.Rows) > _options.QueueCapacity)
        {
            Interlocked.Add(ref _waitingRows, -file.Rows);
            Lost(file, "the store is behind by more than Serving:Monitoring:QueueCapacity rows");
        }
        else if (!_registry.Budget.TryTake(file.Content.Length))
        {
            Interlocked.Add(ref _waitingRows, -file.Rows);
            Lost(file, "the rows waiting for the store hold more than Serving:Monitoring:QueueBytes");
        }
        else if (!_files.Writer.TryWrite(file))
        {
            GiveBack(file);
            Lost(file, "the log has stopped");
        }
    }

    private async Task WriteAsync()
    {
        await foreach (var file in _files.Reader.ReadAllAsync(CancellationToken.None))
        {
            using var leaving = new WaitingFile(this, file);
            if (_abort.IsCancellationRequested)
            {
                Lost(file, "the service stopped before the store answered");
                continue;
            }

            try
            {
                await WriteFileAsync(file);
                if (file.Version is not null)
                {
                    _registry.VersionOf(file.Model, FindManifest(file)).CountWritten(file.Rows);
                }
            }
            catch (Exception ex) when (ex is ModelStoreException or OperationCanceledException or ArgumentException)
            {
                Lost(file, ex.Message);
            }
        }
    }

    private async Task WriteFileAsync(PendingFile file)
    {
        while (true)
        {
            var sequence = Interlocked.Increment(ref _sequence);
            var path = file.Version is null
                ? RecordPaths.FeedbackFile(file.Hour, Replica, sequence)
                : RecordPaths.LogFile(file.Version, file.Hour, Replica, sequence);
            try
            {
                await _store.Value.WriteRecordsAsync(file.Model, path, file.Content, _abort.Token);
                return;
            }
            catch (RecordExistsException)
            {
                // Another process with the same replica name wrote this sequence number: take the next one.
            }
        }
    }

    private Shared.Manifest.ModelManifest FindManifest(PendingFile file) =>
        _registry.Versions(file.Model).First(v => v.Version == file.Version).Manifest;

    private void Lost(PendingFile file, string reason)
    {
        if (file.Version is null)
        {
            _logger.LogWarning("{Lines} feedback lines of {Model} were not logged: {Reason}", file.Rows, file.Model, reason);
            return;
        }

        _registry.Dropped(file.Model, FindManifest(file), file.Rows);
        _logger.LogWarning("{Rows} logged predictions of {Model}:{Version} were dropped: {Reason}", file.Rows, file.Model, file.Version, reason);
    }

    /// <summary>Gives a file's rows and bytes back to the budgets (it is written, or lost).</summary>
    private void GiveBack(PendingFile file)
    {
        Interlocked.Add(ref _waitingRows, -file.Rows);
        _registry.Budget.Give(file.Content.Length);
    }

    /// <summary><see cref="GiveBack"/> once the file is written or lost, whatever happens in between.</summary>
    private readonly struct WaitingFile(PredictionLog log, PendingFile file) : IDisposable
    {
        public void Dispose() => log.GiveBack(file);
    }

    private static string DefaultReplica()
    {
        var host = new string([.. Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]).Trim('-');
        return $"{(host.Length == 0 ? "replica" : host[..Math.Min(host.Length, 60)])}-{Guid.NewGuid().ToString("N")[..8]}";
    }

    /// <summary>One JSON Lines file being gathered.</summary>
    private sealed class PendingFile(string model, string? version, DateTimeOffset hour, DateTimeOffset started)
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(4096);
        private Utf8JsonWriter? _writer;

        public string Model { get; } = model;
        public string? Version { get; } = version;
        public DateTimeOffset Hour { get; } = hour;
        public DateTimeOffset Started { get; } = started;
        public int Rows { get; private set; }
        public ReadOnlyMemory<byte> Content => _buffer.WrittenMemory;

        /// <summary>Writes one record and its line break.</summary>
        public void Append(Action<Utf8JsonWriter> writeLine)
        {
            _writer ??= new Utf8JsonWriter(_buffer);
            writeLine(_writer);
            _writer.Flush();
            _writer.Reset();
            _buffer.Write("\n"u8);
            Rows++;
        }

        public void Complete() => _writer?.Dispose();
    }
}
