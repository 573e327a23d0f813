using Microsoft.AspNetCore.Mvc.Filters;

namespace MLPipeline.Serving.Ui;

/// <summary>
/// Headers on every page: a content security policy that allows the app's own style sheet and images and nothing else
/// (no script at all, inline or not; forms post only to the app; no framing), no caching of pages that show live state,
/// no MIME sniffing, no referrer outside the app.
/// </summary>
public sealed class UiSecurityHeaders : IAsyncPageFilter
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void Apply(HttpResponse response, bool cacheable = false)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        headers.XFrameOptions = "DENY";
        if (!cacheable)
        {
            headers.CacheControl = "no-store";
        }
    }

    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        Apply(context.HttpContext.Response);
        return next();
    }
}
