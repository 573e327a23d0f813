namespace MLPipeline.Serving.Security;

/// <summary>Marks an endpoint whose requests take one of the global concurrency slots (predict, infer and admin routes).</summary>
public sealed class LoadSheddingMetadata
{
    /// <summary><see cref="LoadSheddingMiddleware"/> takes the slot before the endpoint runs.</summary>
    public static readonly LoadSheddingMetadata Instance = new(afterBody: false);

    /// <summary>
    /// The endpoint takes the slot itself once the request's whole body has arrived (the predict pipeline), so a client
    /// sending its body slowly holds none.
    /// </summary>
    public static readonly LoadSheddingMetadata AfterBody = new(afterBody: true);

    private LoadSheddingMetadata(bool afterBody)
    {
        TakenAfterBody = afterBody;
    }

    public bool TakenAfterBody { get; }
}

/// <summary>
/// Takes a <see cref="ConcurrencySlots"/> slot for each request to a route marked <see cref="LoadSheddingMetadata.Instance"/>,
/// from the endpoint's start to the last byte written, and sheds the request with 503 when none is free. It runs after
/// authentication, so only authorized callers can hold a slot. Health, metrics and /v2 health are never marked.
/// </summary>
public sealed class LoadSheddingMiddleware(RequestDelegate next, ConcurrencySlots slots)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (!slots.IsLimited || context.GetEndpoint()?.Metadata.GetMetadata<LoadSheddingMetadata>() is not { TakenAfterBody: false })
        {
            return next(context);
        }

        return InvokeLimitedAsync(context);
    }

    private async Task InvokeLimitedAsync(HttpContext context)
    {
        using var slot = await slots.EnterAsync(context.RequestAborted);
        if (!slot.Entered)
        {
            await slots.ShedAsync(context);
            return;
        }

        await next(context);
    }
}
