namespace MLPipeline.Serving.Options;

/// <summary>The <c>Serving:Reload</c> section: how often each model's source is checked for a new version.</summary>
public sealed class ReloadOptions
{
    /// <summary>Watch sources and swap new versions in while serving.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Blob and store sources: time between conditional checks (a random jitter of up to a fifth is added, so replicas spread out).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>File sources: the slow poll behind the file system watcher (which may miss events on network shares).</summary>
    public TimeSpan FilePollInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>File sources: quiet time after the last file event before the file is read (a copy fires many events).</summary>
    public TimeSpan FileDebounce { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest wait between retries after failures (the wait doubles from the poll interval up to this).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);
}
