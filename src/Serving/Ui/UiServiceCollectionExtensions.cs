using Microsoft.Extensions.DependencyInjection.Extensions;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Security;
using MLPipeline.Serving.Ui.Seams;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Ui;

/// <summary>
/// The web pages at <c>/ui</c> (docs/ui.md): Razor Pages rendered on the server, their style sheet and the plots they
/// show. Nothing here runs for other routes: no middleware, no default authentication scheme.
/// </summary>
public static class UiServiceCollectionExtensions
{
    /// <param name="configuration">The app's configuration; the UI's settings, like security's, are read once, at start.</param>
    public static IServiceCollection AddUi(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(ServingOptions.Section).Get<ServingOptions>() ?? new ServingOptions();
        options.ApiKeys = ApiKeyConfiguration.Read(configuration);
        services.AddRazorPages(pages =>
        {
            pages.RootDirectory = "/Ui/Pages";
            pages.Conventions.AuthorizeFolder("/", UiAuthentication.Policy);
            pages.Conventions.AllowAnonymousToPage("/SignIn");
            pages.Conventions.ConfigureFilter(new UiSecurityHeaders());
            pages.Conventions.ConfigureFilter(new StoreFailurePage());
        });
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "mlpipeline-ui-antiforgery";
            antiforgery.Cookie.Path = "/ui";
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
        });
        UiAuthentication.Add(services, options);

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<StoreCatalog>();
        services.AddSingleton<ArtifactCache>();
        services.AddSingleton<TryItPrediction>();

        // The rollout and monitoring sections: the store's rollout record and this replica's live figures.
        services.TryAddSingleton<IRolloutView, StoreRolloutView>();
        services.TryAddSingleton<IMonitoringView>(sp => sp.GetService<Monitoring.MonitoringRegistry>() is { } monitoring
            ? new LiveMonitoringView(monitoring, sp.GetRequiredService<Pool.PredictionEnginePool>())
            : new MonitoringNotEnabled());
        return services;
    }

    public static IEndpointRouteBuilder MapUi(this IEndpointRouteBuilder app)
    {
        app.MapRazorPages();
        app.MapGet(UiAssets.StyleSheetRoute, UiAssets.Serve).ExcludeFromDescription();
        app.MapPost(UiAuthentication.OidcCallbackPath, UiAuthentication.HandleOidcCallbackAsync).ExcludeFromDescription();
        app.MapGet("/ui/models/{name}/versions/{version}/files/{file}", ServeArtifactAsync)
            .RequireAuthorization(UiAuthentication.Policy)
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>A plot or report of a version, as the pages link it; verified against the manifest on first read.</summary>
    private static async Task<IResult> ServeArtifactAsync(string name, string version, string file, StoreCatalog catalog, ArtifactCache artifacts, HttpContext context)
    {
        if (!StoreNames.IsValid(name) || !StoreNames.IsValid(version))
        {
            return Results.NotFound();
        }

        byte[]? bytes;
        try
        {
            var manifest = await catalog.FindVersionAsync(name, version, context.RequestAborted);
            bytes = manifest is null ? null : await artifacts.ReadAsync(manifest, file, context.RequestAborted);
        }
        catch (ModelStoreException ex)
        {
            // A file that fails its SHA-256 check, or a store that cannot be read: never served.
            return Results.Problem(detail: ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "The store cannot give this file");
        }

        if (bytes is null)
        {
            return Results.NotFound();
        }

        // A version never changes: its files may be kept by the browser (privately: they are behind a sign-in).
        UiSecurityHeaders.Apply(context.Response, cacheable: true);
        context.Response.Headers.CacheControl = "private, max-age=86400, immutable";
        return file.EndsWith(".png", StringComparison.OrdinalIgnoreCase)
            ? Results.Bytes(bytes, "image/png")
            : Results.Bytes(bytes, "text/markdown; charset=utf-8", fileDownloadName: file);
    }
}
