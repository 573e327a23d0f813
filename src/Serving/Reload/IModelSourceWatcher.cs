using Microsoft.Extensions.Primitives;
using MLPipeline.Serving.Pool;

namespace MLPipeline.Serving.Reload;

/// <summary>
/// Tells whether a model's source holds something other than the served version, cheaply (a conditional request, an
/// alias read, a file's size and time). Fetching, verifying and swapping stay the pool's job.
/// </summary>
public interface IModelSourceWatcher : IDisposable
{
    /// <summary>How long to wait between checks when nothing signals a change.</summary>
    TimeSpan PollInterval { get; }

    /// <exception cref="Loading.ModelSourceException">The source could not be checked (down, refused, deleted).</exception>
    Task<bool> HasChangedAsync(ModelGeneration served, CancellationToken cancellationToken);

    /// <summary>Fires when the source announces a change by itself (file events); a token that never fires otherwise.</summary>
    IChangeToken Watch();
}
