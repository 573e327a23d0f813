using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Ui.Pages;

/// <summary>A version: its report rendered, inputs and outputs, artifacts, ONNX figures and lineage.</summary>
public sealed class VersionModel(StoreCatalog catalog, ArtifactCache artifacts) : PageModel
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    [FromRoute]
    public string Name { get; set; } = "";

    [FromRoute]
    public string Version { get; set; } = "";

    public ModelManifest Manifest { get; private set; } = null!;

    public IReadOnlyList<string> Aliases { get; private set; } = [];

    /// <summary>report.md as HTML, or null when the version has none (published by hand).</summary>
    public HtmlString? Report { get; private set; }

    public string? ReportError { get; private set; }

    public string? Spec { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!StoreNames.IsValid(Name) || !StoreNames.IsValid(Version) || await catalog.FindVersionAsync(Name, Version, cancellationToken) is not { } manifest)
        {
            return NotFound();
        }

        Manifest = manifest;
        Aliases = [.. (await catalog.HistoryAsync(Name)).Value.AliasesOn(Version)];
        Spec = manifest.Spec is { } spec ? JsonSerializer.Serialize(spec, Indented) : null;
        try
        {
            if (await artifacts.ReadAsync(manifest, "report.md", cancellationToken) is { } report)
            {
                Report = ReportHtml.Render(Encoding.UTF8.GetString(report), manifest, file => ArtifactUrl(manifest, file));
            }
        }
        catch (ModelStoreException ex)
        {
            ReportError = ex.Message;
        }

        return Page();
    }

    public static string ArtifactUrl(ModelManifest manifest, string file) =>
        $"/ui/models/{manifest.Name}/versions/{manifest.Version}/files/{Uri.EscapeDataString(file)}";
}
