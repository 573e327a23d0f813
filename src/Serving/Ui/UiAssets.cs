using System.Security.Cryptography;

namespace MLPipeline.Serving.Ui;

/// <summary>
/// The pages' one style sheet, compiled into the assembly (no CDN, no wwwroot to deploy, no static-file middleware
/// in front of the predict routes). Its URL carries its hash, so browsers may keep it for a year.
/// </summary>
public static class UiAssets
{
    public const string StyleSheetRoute = "/ui/assets/ui.css";

    private static readonly Lazy<(byte[] Bytes, string Hash)> StyleSheet = new(() =>
    {
        using var stream = typeof(UiAssets).Assembly.GetManifestResourceStream("MLPipeline.Serving.Ui.ui.css")
            ?? throw new InvalidOperationException("The UI style sheet is missing from the assembly (EmbeddedResource Ui/Assets/ui.css).");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        return (bytes, Convert.ToHexStringLower(SHA256.HashData(bytes))[..12]);
    });

    /// <summary>The URL pages link to.</summary>
    public static string StyleSheetUrl => $"{StyleSheetRoute}?v={StyleSheet.Value.Hash}";

    public static IResult Serve(HttpContext context)
    {
        UiSecurityHeaders.Apply(context.Response, cacheable: true);
        context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        return Results.Bytes(StyleSheet.Value.Bytes, "text/css; charset=utf-8");
    }
}
