using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests.Ui;

/// <summary>
/// One real service for the browser tests (Kestrel on a loopback port, API keys on) over a copy of the trained models'
/// store, which the tests' alias moves may change, and one headless Chromium (the system's, driven by Playwright).
/// Screenshots go to <c>MLPIPELINE_UI_SCREENSHOTS</c> (docs/images/ui to refresh docs/ui.md), else to a temp folder.
/// </summary>
public sealed class UiBrowserApp : IAsyncLifetime
{
    public const string AdminKey = "ui-admin-key-0123456789";
    public const string PredictKey = "ui-predict-key-0123456789";
    public const string ScreenshotsVariable = "MLPIPELINE_UI_SCREENSHOTS";

    private readonly TempFolder _folder = new("mlpipeline-ui-tests-");
    private IPlaywright? _playwright;

    public TrainedModels Models { get; } = TrainedModels.Current;

    public FileModelStore Store { get; private set; } = null!;

    public ServingApp App { get; private set; } = null!;

    public string BaseUrl { get; private set; } = "";

    public IBrowser Browser { get; private set; } = null!;

    public string ScreenshotFolder { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var chromium = await SystemChromium.EnsureInstalledAsync();
        var storePath = _folder.Combine("store");
        CopyDirectory(Models.StoreDirectory, storePath);
        Store = new FileModelStore(storePath);
        ScreenshotFolder = Environment.GetEnvironmentVariable(ScreenshotsVariable) is { Length: > 0 } folder
            ? Path.GetFullPath(folder, RepositoryRoot.Path)
            : _folder.Combine("screenshots");
        Directory.CreateDirectory(ScreenshotFolder);

        App = new ServingApp(Models, new Dictionary<string, string?>
        {
            ["Serving:Store"] = storePath,
            ["Serving:ApiKeys:0:Id"] = "ops",
            ["Serving:ApiKeys:0:Key"] = AdminKey,
            ["Serving:ApiKeys:0:Role"] = "admin",
            ["Serving:ApiKeys:1:Id"] = "ci-predict",
            ["Serving:ApiKeys:1:Key"] = PredictKey,
            ["Serving:ApiKeys:1:Role"] = "predict",
        });
        App.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        App.StartServer();
        BaseUrl = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        await App.ReadyClientAsync();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true });
    }

    /// <summary>A fresh browser session (no cookie) at the app's address.</summary>
    public async Task<UiSession> NewSessionAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        return new UiSession(context, await context.NewPageAsync(), ScreenshotFolder);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        _folder.Dispose();
    }

    private static void CopyDirectory(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}
