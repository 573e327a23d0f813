using Microsoft.Extensions.Primitives;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Sources;

/// <summary>
/// A model.zip on disk (a manifest.json beside it is used when present, and then its hashes must match). Changes: a
/// FileSystemWatcher on the folder (created, changed and renamed, so a write in place, a copy-then-rename and a new
/// manifest are all seen), debounced so one copy's many events make one check; the slow poll is the fallback where
/// events get lost (network shares, full event buffers) or where no watcher can be created (inotify limit).
/// </summary>
public sealed class FileModelSource : IModelSource
{
    private readonly ModelSizeLimits _limits;
    private readonly TimeSpan _debounce;
    private FileSystemWatcher? _watcher;
    private readonly Timer _quiet;
    private readonly Lock _gate = new();
    private CancellationTokenSource _changed = new();
    private bool _disposed;

    /// <summary>A file with the default poll interval, debounce and size limits.</summary>
    public FileModelSource(string path)
        : this(path, new ReloadOptions().FilePollInterval, new ReloadOptions().FileDebounce, new LimitOptions().ModelSize)
    {
    }

    public FileModelSource(string path, TimeSpan pollInterval, TimeSpan debounce, ModelSizeLimits limits)
    {
        Path = System.IO.Path.GetFullPath(path);
        PollInterval = pollInterval;
        _debounce = debounce;
        _limits = limits;
        _quiet = new Timer(_ => Signal());
    }

    public string Path { get; }

    public string Location => System.IO.Path.GetFileName(Path);

    public string Description => $"file {Path}";

    public TimeSpan PollInterval { get; }

    /// <summary>Why no file events arrive (the slow poll still runs), or null when they do.</summary>
    public string? WatchError { get; private set; }

    public async Task<ModelPackage> FetchAsync(CancellationToken cancellationToken)
    {
        try
        {
            var info = new FileInfo(Path);
            if (!info.Exists)
            {
                throw new ModelSourceException($"{Location}: the model file does not exist.");
            }

            _limits.CheckDownload(Location, info.Length);
            var bytes = await File.ReadAllBytesAsync(Path, cancellationToken);
            var manifestPath = System.IO.Path.Combine(info.DirectoryName!, ModelManifest.FileName);
            var manifest = File.Exists(manifestPath)
                ? ManifestJson.Deserialize(await File.ReadAllBytesAsync(manifestPath, cancellationToken), ModelManifest.FileName)
                : null;
            // model.onnx beside it, when the manifest says it was exported; the activator checks it against the manifest.
            var onnxPath = System.IO.Path.Combine(info.DirectoryName!, ModelManifest.OnnxFileName);
            var onnx = manifest?.Onnx?.Exported == true && manifest.Artifacts.TryGetValue(ModelManifest.OnnxFileName, out var onnxArtifact)
                && File.Exists(onnxPath) && onnxArtifact.Size <= _limits.MaxModelBytes
                ? await File.ReadAllBytesAsync(onnxPath, cancellationToken)
                : null;
            return new ModelPackage(bytes, manifest, Location, ChangeTag(info)) { OnnxBytes = onnx, Format = ModelPackage.FormatOf(Path) };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or ModelStoreException)
        {
            throw new ModelSourceException($"{Location}: {ex.Message.Replace(Path, Location, StringComparison.Ordinal)}", ex);
        }
    }

    public Task<bool> HasChangedAsync(ModelGeneration served, CancellationToken cancellationToken)
    {
        var info = new FileInfo(Path);
        return info.Exists
            ? Task.FromResult(ChangeTag(info) != served.Origin.ETag)
            : throw new ModelSourceException($"{Location}: the model file was deleted; the served version stays.");
    }

    /// <summary>The first call starts the file system watcher: a source that is only planned, never served, holds none.</summary>
    public IChangeToken Watch()
    {
        lock (_gate)
        {
            if (_watcher is null && WatchError is null && !_disposed)
            {
                _watcher = TryWatch(System.IO.Path.GetDirectoryName(Path)!);
            }

            return new CancellationChangeToken(_changed.Token);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _watcher?.Dispose();
        }

        _quiet.Dispose();
    }

    /// <summary>The file's ETag: last write time and length.</summary>
    internal static string ChangeTag(FileInfo info) => $"\"{info.LastWriteTimeUtc.Ticks:x}-{info.Length:x}\"";

    private FileSystemWatcher? TryWatch(string folder)
    {
        if (!Directory.Exists(folder))
        {
            WatchError = "the folder does not exist yet";
            return null;
        }

        try
        {
            var watcher = new FileSystemWatcher(folder)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            watcher.Created += OnEvent;
            watcher.Changed += OnEvent;
            watcher.Renamed += OnEvent;
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
        {
            // The inotify instance or watch limit is reached (IOException), or the folder cannot be watched: poll only.
            WatchError = ex.Message;
            return null;
        }
    }

    private void OnEvent(object sender, FileSystemEventArgs e)
    {
        var file = System.IO.Path.GetFileName(e.FullPath);
        if (file == Location || file == ModelManifest.FileName)
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
