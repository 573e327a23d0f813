using Microsoft.Net.Http.Headers;

namespace MLPipeline.Serving.Security;

/// <summary>
/// Admin POSTs accept only <c>Content-Type: application/json</c> (an empty body is fine): a browser sends that type
/// cross-site only after a CORS preflight, which this service never grants, so no form on another site can post here.
/// </summary>
public sealed class JsonOnlyPostFilter : IEndpointFilter
{
    public static readonly JsonOnlyPostFilter Instance = new();

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        if (!HttpMethods.IsPost(request.Method) || IsJson(request.ContentType))
        {
            return next(context);
        }

        context.HttpContext.RequestServices.GetRequiredService<RequestRejectionMetrics>().Rejected(RequestRejectionMetrics.UnsupportedMediaType);
        return ValueTask.FromResult<object?>(TypedResults.Problem(
            detail: $"{request.Method} {request.Path} accepts only Content-Type: application/json (an empty body is fine); got {(string.IsNullOrEmpty(request.ContentType) ? "none" : "'" + request.ContentType + "'")}.",
            statusCode: StatusCodes.Status415UnsupportedMediaType,
            title: "Unsupported media type",
            extensions: new Dictionary<string, object?> { ["field"] = "Content-Type" }));
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media) && media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);
}
