using Microsoft.Playwright;

namespace MLPipeline.Serving.Tests.Ui;

/// <summary>One browser session: a page, every content security policy violation Chromium reports, screenshots.</summary>
public sealed class UiSession : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly string _screenshots;
    private readonly List<string> _violations = [];

    public UiSession(IBrowserContext context, IPage page, string screenshots)
    {
        (_context, Page, _screenshots) = (context, page, screenshots);
        Page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (_violations)
                {
                    _violations.Add(message.Text);
                }
            }
        };
    }

    public IPage Page { get; }

    public IReadOnlyList<string> CspViolations
    {
        get
        {
            lock (_violations)
            {
                return [.. _violations];
            }
        }
    }

    /// <summary>Clicks and returns the response the navigation ends on (after redirects), once the page is at its address.</summary>
    /// <remarks>
    /// The page's address and its document's state are polled rather than waited for through the load event
    /// (<c>WaitForURLAsync</c>): on a busy machine that event could be reported before the wait began, and the wait then
    /// saw only the later network-idle one until it timed out.
    /// </remarks>
    public async Task<IResponse> ClickAndNavigateAsync(string selector)
    {
        var response = await Page.RunAndWaitForResponseAsync(
            () => Page.ClickAsync(selector),
            r => r.Request.IsNavigationRequest && r.Request.Frame == Page.MainFrame && r.Status is < 300 or >= 400);
        await response.FinishedAsync();
        await Assertions.Expect(Page).ToHaveURLAsync(response.Url, new() { Timeout = 30_000 });
        await Page.WaitForFunctionAsync("document.readyState === 'complete'");
        return response;
    }

    /// <summary>Signs in through the form with <paramref name="key"/>; returns the response the form's post ends on.</summary>
    public async Task<IResponse> SignInAsync(string key, string path = "/ui")
    {
        var start = await Page.GotoAsync(path);
        Page.Url.Should().Contain("/ui/signin", "a browser without a sign-in is sent to the sign-in form (got {0})", start?.Status);
        await Page.FillAsync("#key", key);
        return await ClickAndNavigateAsync("#signin");
    }

    public Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(_screenshots, name + ".png"), FullPage = true });

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
