using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Ui;

/// <summary>
/// A page whose store read fails (unreachable, refused, a broken file) answers 503 with the store's own wording of what
/// failed, as a page with a way back, rather than the service's generic 500.
/// </summary>
public sealed class StoreFailurePage : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var executed = await next();
        if (executed.Exception is ModelStoreException failure && !executed.ExceptionHandled)
        {
            executed.ExceptionHandled = true;
            executed.Result = new ContentResult
            {
                StatusCode = StatusCodes.Status503ServiceUnavailable,
                ContentType = "text/html; charset=utf-8",
                Content = $"""
                    <!DOCTYPE html>
                    <html lang="en"><head><meta charset="utf-8" /><title>The store cannot be read · MLPipeline</title>
                    <link rel="stylesheet" href="{UiAssets.StyleSheetUrl}" /></head>
                    <body><main><h1>The model store cannot be read</h1>
                    <div class="note error" id="store-error">{HtmlEncoder.Default.Encode(failure.Message)}</div>
                    <p><a href="/ui">Models</a></p></main></body></html>
                    """,
            };
        }
    }
}
