using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Ui.Pages;

/// <summary>Two versions side by side: every metric with its difference, and the same plots next to each other.</summary>
public sealed class CompareModel(StoreCatalog catalog) : PageModel
{
    [FromRoute]
    public string Name { get; set; } = "";

    [FromQuery(Name = "a")]
    public string? A { get; set; }

    [FromQuery(Name = "b")]
    public string? B { get; set; }

    public ModelManifest Left { get; private set; } = null!;

    public ModelManifest Right { get; private set; } = null!;

    public IReadOnlyList<string> Metrics { get; private set; } = [];

    /// <summary>Plot files of either version, in the order the reports show them.</summary>
    public IReadOnlyList<string> Plots { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!StoreNames.IsValid(Name) || A is null || B is null
            || await catalog.FindVersionAsync(Name, A, cancellationToken) is not { } left
            || await catalog.FindVersionAsync(Name, B, cancellationToken) is not { } right)
        {
            return NotFound();
        }

        (Left, Right) = (left, right);
        Metrics = [.. left.Metrics.Test.Keys.Union(right.Metrics.Test.Keys).OrderBy(m => m == left.MainMetric ? 0 : 1)];
        Plots = [.. left.Artifacts.Keys.Union(right.Artifacts.Keys).Where(IsPlot).Order(StringComparer.Ordinal)];
        return Page();
    }

    public static bool IsPlot(string file) => file.StartsWith("plot-", StringComparison.Ordinal) && file.EndsWith(".png", StringComparison.Ordinal);

    /// <summary>"Predicted vs actual" from plot-predicted-vs-actual.png.</summary>
    public static string PlotTitle(string file)
    {
        var words = file["plot-".Length..^".png".Length].Replace('-', ' ');
        return words.Length == 0 ? file : char.ToUpperInvariant(words[0]) + words[1..];
    }
}
