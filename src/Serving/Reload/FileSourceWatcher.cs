using Microsoft.Extensions.Primitives;
using MLPipeline.Serving.Loading;
using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Reload;

/// <summary>
/// A model.zip on disk: a FileSystemWatcher on its folder (created, changed and renamed, so both a write in place and a
/// copy-then-rename are seen, and a new manifest.json too), debounced so one copy's many events make one check; the
/// slow poll of the reload service is the fallback where events get lost (network shares, full event buffers).
/// </summary>
public sealed class FileSourceWatcher : IModelSourceWatcher
{
    private readonly FileModelLoader _loader;
    private readonly TimeSpan _debounce;
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer _quiet;
    private readonly Lock _gate = new();
    private CancellationTokenSource _changed = new();
    private bool _disposed;

    public FileSourceWatcher(FileModelLoader loader, TimeSpan pollInterval, TimeSpan debounce)
    {
        _loader = loader;
        _debounce = debounce;
        PollInterval = pollInterval;
        _quiet = new Timer(_ => Signal());
        var folder = Path.GetDirectoryName(loader.Path)!;
        if (Directory.Exists(folder))
        {
            _watcher = new FileSystemWatcher(folder)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            _watcher.Created += OnEvent;
            _watcher.Changed += OnEvent;
            _watcher.Renamed += OnEvent;
            _watcher.EnableRaisingEvents = true;
        }
    }

    public TimeSpan PollInterval { get; }

    public Task<bool> HasChangedAsync(ModelGeneration served, CancellationToken cancellationToken)
    {
        var info = new FileInfo(_loader.Path);
        if (!info.Exists)
        {
            throw new ModelSourceException($"Model file {_loader.Path} was deleted; the served version stays.");
        }

        return Task.FromResult(FileModelLoader.ChangeTag(info) != served.Origin.ETag);
    }

    public IChangeToken Watch()
    {
        lock (_gate)
        {
            return new CancellationChangeToken(_changed.Token);
        }
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _quiet.Dispose();
        lock (_gate)
        {
            _disposed = true;
        }
    }

    private void OnEvent(object sender, FileSystemEventArgs e)
    {
        var file = Path.GetFileName(e.FullPath);
        if (file == Path.GetFileName(_loader.Path) || file == ModelManifest.FileName)
        {
            // Every event restarts the quiet period: the check runs once the writer is done.
            _quiet.Change(_debounce, Timeout.InfiniteTimeSpan);
        }
    }

    private void Signal()
    {
        CancellationTokenSource fired;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            fired = _changed;
            _changed = new CancellationTokenSource();
        }

        // Not disposed here: a waiter may still be registering on the fired token.
        fired.Cancel();
    }
}
