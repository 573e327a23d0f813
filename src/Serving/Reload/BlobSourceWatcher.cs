using Azure;
using Azure.Identity;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;
using MLPipeline.Serving.Loading;
using MLPipeline.Serving.Pool;

namespace MLPipeline.Serving.Reload;

/// <summary>
/// A model.zip blob: a HEAD request with If-None-Match set to the served ETag. 304 means unchanged (nothing is
/// downloaded); 200 with another ETag means a new upload; a deleted blob, a refused SAS or an unreachable account fail.
/// </summary>
public sealed class BlobSourceWatcher(BlobModelLoader loader, TimeSpan pollInterval) : IModelSourceWatcher
{
    public TimeSpan PollInterval => pollInterval;

    public async Task<bool> HasChangedAsync(ModelGeneration served, CancellationToken cancellationToken)
    {
        try
        {
            var conditions = served.Origin.ETag is { Length: > 0 } etag ? new BlobRequestConditions { IfNoneMatch = new ETag(etag) } : null;
            var properties = await loader.ModelBlob.GetPropertiesAsync(conditions, cancellationToken);
            return properties.Value.ETag.ToString() != served.Origin.ETag;
        }
        catch (RequestFailedException ex) when (ex.Status == 304)
        {
            return false;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new ModelSourceException($"{loader.Description}: the blob was deleted (HTTP 404); the served version stays.", ex);
        }
        catch (RequestFailedException ex)
        {
            throw new ModelSourceException($"{loader.Description}: checking for a new version failed: {(ex.Status == 0 ? ex.Message : $"HTTP {ex.Status} {ex.ErrorCode}")}.", ex);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is RequestFailedException))
        {
            throw new ModelSourceException($"{loader.Description}: checking for a new version failed: {ex.InnerExceptions[^1].Message}", ex);
        }
        catch (AuthenticationFailedException ex)
        {
            throw new ModelSourceException($"{loader.Description}: no credential could sign in ({ex.Message}).", ex);
        }
    }

    public IChangeToken Watch() => NullChangeToken.Singleton;

    public void Dispose()
    {
    }
}
