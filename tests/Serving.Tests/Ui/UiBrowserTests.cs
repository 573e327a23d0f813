using System.Net;
using Microsoft.Playwright;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Tests.Ui;

/// <summary>
/// The web pages in a real browser (headless Chromium) against the real service: every page renders for an admin with
/// no content security policy violation, promote and rollback through the buttons move the alias in the store (and a
/// confirmation on an alias moved meanwhile does not), Try it predicts, and a key without the admin role gets no page.
/// The screenshots in docs/ui.md are taken here.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class UiBrowserTests(UiBrowserApp ui) : IClassFixture<UiBrowserApp>
{
    private const string HousePrices = TrainedModels.HousePrices;

    private string MainVersion => ui.Models.HousePricesMain.Version;

    private string OtherVersion => ui.Models.HousePricesOther.Version;

    [Fact]
    public async Task Every_page_renders_for_an_admin_with_its_figures_and_no_script_or_policy_violation()
    {
        await using var session = await ui.NewSessionAsync();
        var page = session.Page;

        (await session.SignInAsync(UiBrowserApp.AdminKey)).Status.Should().Be(200);
        page.Url.Should().EndWith("/ui");
        (await page.Locator("#models tbody tr").AllInnerTextsAsync()).Should().HaveCount(3);
        (await page.Locator($"tr[data-model='{HousePrices}'] [data-alias='production']").InnerTextAsync()).Should().Contain(MainVersion);
        (await page.Locator($"tr[data-model='{HousePrices}'] td.served").InnerTextAsync()).Should().Be(MainVersion);
        (await page.Locator($"tr[data-model='{HousePrices}']").InnerTextAsync()).Should().Contain("ready").And.Contain("regression").And.Contain("RSquared");
        await session.ScreenshotAsync("models");

        (await session.ClickAndNavigateAsync($"a[href='/ui/models/{HousePrices}']")).Status.Should().Be(200);
        (await page.Locator("#versions tbody tr").CountAsync()).Should().Be(2);
        (await page.Locator("svg.chart circle.point:not(.cv)").CountAsync()).Should().Be(2, "one point per version on the metric history");
        (await page.Locator("svg.chart circle.cv").CountAsync()).Should().Be(1, "only the bundled spec's version was cross-validated");
        (await page.Locator("svg.chart circle.served").CountAsync()).Should().Be(1);
        (await page.Locator("#aliases tr[data-alias='production']").InnerTextAsync()).Should().Contain(MainVersion);
        (await page.Locator("#rollout-off").IsVisibleAsync()).Should().BeTrue();
        (await page.Locator("#monitoring-off").IsVisibleAsync()).Should().BeTrue();
        await session.ScreenshotAsync("model");

        (await session.ClickAndNavigateAsync($"#versions a[href='/ui/models/{HousePrices}/versions/{MainVersion}']")).Status.Should().Be(200);
        var report = await page.Locator("#report").InnerTextAsync();
        report.Should().Contain("RSquared").And.Contain("Feature importance");
        (await page.Locator("#report img").CountAsync()).Should().BeGreaterThanOrEqualTo(4);
        (await AllImagesLoadedAsync(page)).Should().BeTrue("every plot of the report is served by the app");
        (await page.Locator("#artifacts").InnerTextAsync()).Should().Contain("model.zip").And.Contain(ui.Models.HousePricesMain.Artifacts["model.zip"].Sha256);
        (await page.Locator("#onnx").InnerTextAsync()).Should().Contain("parity");
        (await page.Locator("#lineage").InnerTextAsync()).Should().Contain(ui.Models.HousePricesMain.TrainingData.Sha256);
        await session.ScreenshotAsync("version");

        await page.GotoAsync($"/ui/models/{HousePrices}");
        (await session.ClickAndNavigateAsync("#compare-form button")).Status.Should().Be(200);
        var main = await page.Locator("#metrics tr[data-metric='RSquared']").InnerTextAsync();
        main.Should().MatchRegex(@"[+-]\d", "the difference of the main metric between the two versions");
        (await page.Locator(".plot-pair[data-plot='plot-residuals.png'] img").CountAsync()).Should().Be(2, "the same plot of both versions side by side");
        (await AllImagesLoadedAsync(page)).Should().BeTrue();
        await session.ScreenshotAsync("compare");

        await page.GotoAsync($"/ui/models/{HousePrices}/try");
        (await page.InputValueAsync("#in-LSTAT")).Should().Be(ui.Models.HousePricesMain.SampleInput["LSTAT"]);
        await page.FillAsync("#in-RM", "7.5");
        (await session.ClickAndNavigateAsync("#predict")).Status.Should().Be(200);
        var answer = await page.Locator("#answer").InnerTextAsync();
        answer.Should().Contain("\"score\"").And.Contain(MainVersion);
        await session.ScreenshotAsync("try-it");

        (await page.ContentAsync()).Should().NotContain("<script");
        session.CspViolations.Should().BeEmpty();
    }

    [Fact]
    public async Task Promote_and_rollback_through_the_buttons_move_the_alias_in_the_store_after_a_confirmation()
    {
        await using var session = await ui.NewSessionAsync();
        var page = session.Page;
        await session.SignInAsync(UiBrowserApp.AdminKey, $"/ui/models/{HousePrices}");

        var row = page.Locator($"#versions tr[data-version='{OtherVersion}']");
        await row.Locator("select[name=alias]").SelectOptionAsync("production");
        (await session.ClickAndNavigateAsync($"#versions tr[data-version='{OtherVersion}'] form.promote button")).Status.Should().Be(200);
        (await page.Locator("#current").InnerTextAsync()).Should().Be(MainVersion);
        (await Production()).Version.Should().Be(MainVersion, "nothing moves before the confirmation");
        await session.ScreenshotAsync("promote-confirm");

        (await session.ClickAndNavigateAsync("#confirm")).Status.Should().Be(200);
        var moved = await Production();
        moved.Version.Should().Be(OtherVersion);
        moved.PreviousVersion.Should().Be(MainVersion);
        moved.MovedBy.Should().Contain("ops");
        (await page.Locator("#moved").InnerTextAsync()).Should().Contain(OtherVersion);
        (await page.Locator("#aliases tr[data-alias='production']").InnerTextAsync()).Should().Contain(OtherVersion);

        (await session.ClickAndNavigateAsync("#aliases tr[data-alias='production'] a.rollback")).Status.Should().Be(200);
        (await page.Locator("#current").InnerTextAsync()).Should().Be(OtherVersion);
        (await session.ClickAndNavigateAsync("#confirm")).Status.Should().Be(200);
        (await Production()).Version.Should().Be(MainVersion);
        (await page.Locator("#aliases tr[data-alias='production']").InnerTextAsync()).Should().Contain(MainVersion);

        // A confirmation shown before someone else moved the alias does not land, and says so.
        await page.GotoAsync($"/ui/models/{HousePrices}/promote?version={OtherVersion}&alias=production");
        await ui.Store.PromoteAsync(HousePrices, MainVersion, "production");
        var elsewhere = await Production();
        (await session.ClickAndNavigateAsync("#confirm")).Status.Should().Be((int)HttpStatusCode.Conflict);
        await Assertions.Expect(page.Locator("#move-error")).ToContainTextAsync("moved by someone else");
        (await Production()).ETag.Should().Be(elsewhere.ETag, "the stale confirmation changed nothing");
        session.CspViolations.Should().BeEmpty();
    }

    [Fact]
    public async Task A_key_without_the_admin_role_gets_no_page_and_no_sign_in()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(ui.BaseUrl) };
        using var predictKey = new HttpRequestMessage(HttpMethod.Get, "/ui") { Headers = { { "X-Api-Key", UiBrowserApp.PredictKey } } };
        (await http.SendAsync(predictKey)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        using var plot = new HttpRequestMessage(HttpMethod.Get, $"/ui/models/{HousePrices}/versions/{MainVersion}/files/plot-residuals.png") { Headers = { { "X-Api-Key", UiBrowserApp.PredictKey } } };
        (await http.SendAsync(plot)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var anonymous = await http.GetAsync($"/ui/models/{HousePrices}");
        anonymous.StatusCode.Should().Be(HttpStatusCode.Redirect);
        anonymous.Headers.Location!.ToString().Should().Contain("/ui/signin");

        await using var session = await ui.NewSessionAsync();
        (await session.SignInAsync(UiBrowserApp.PredictKey)).Status.Should().Be((int)HttpStatusCode.Forbidden);
        await Assertions.Expect(session.Page.Locator("#signin-error")).ToContainTextAsync("'ci-predict' has the predict role");
        (await session.Page.GotoAsync("/ui"))!.Url.Should().Contain("/ui/signin", "the refused key got no sign-in cookie");
        await session.ScreenshotAsync("signin");
    }

    private async Task<AliasRecord> Production() => (await ui.Store.FindAliasAsync(HousePrices, "production"))!;

    private static Task<bool> AllImagesLoadedAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)");
}
