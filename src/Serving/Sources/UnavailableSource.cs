namespace MLPipeline.Serving.Sources;

/// <summary>
/// A configured source that could not even be built (a blob URI no credential fits, say): the model is listed as failed
/// with the reason, and every other model serves as usual.
/// </summary>
public sealed class UnavailableSource(string location, ModelSourceException reason) : IModelSource
{
    public string Location => location;

    public Task<ModelPackage> FetchAsync(CancellationToken cancellationToken) =>
        throw new ModelSourceException(reason.Message, reason);
}
