using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Ui.Seams;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Ui.Pages;

/// <summary>A model: versions, the main metric's history, aliases with promote and rollback, rollout and monitoring.</summary>
public sealed class ModelModel(StoreCatalog catalog, PredictionEnginePool pool, IRolloutView rollouts, IMonitoringView monitoring) : PageModel
{
    /// <summary>Aliases offered for a promotion besides the model's own.</summary>
    public static readonly string[] UsualAliases = ["production", "staging"];

    [FromRoute]
    public string Name { get; set; } = "";

    /// <summary>The alias just moved through the pages (after a confirmation), to say where it points now.</summary>
    [FromQuery(Name = "moved")]
    public string? Moved { get; set; }

    public ModelHistory History { get; private set; } = null!;

    public DateTimeOffset ReadUtc { get; private set; }

    public string? RefreshError { get; private set; }

    public ModelSlot? Slot { get; private set; }

    public RolloutState? Rollout { get; private set; }

    public MonitoringState? Monitoring { get; private set; }

    public HtmlString Chart { get; private set; } = HtmlString.Empty;

    public IReadOnlyList<string> PromotionAliases { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!StoreNames.IsValid(Name))
        {
            return NotFound();
        }

        var snapshot = await catalog.HistoryAsync(Name);
        (History, ReadUtc, RefreshError) = (snapshot.Value, snapshot.ReadUtc, snapshot.RefreshError);
        Slot = pool.Find(Name);
        if (History.Versions.Count == 0 && Slot is null)
        {
            return NotFound();
        }

        Rollout = await rollouts.FindAsync(Name, cancellationToken);
        Monitoring = monitoring.Find(Name);
        PromotionAliases = [.. UsualAliases.Union(History.Aliases.Select(a => a.Alias))];
        var served = Slot?.Current?.Version;
        var metric = History.Newest?.MainMetric ?? Slot?.Current?.Manifest.MainMetric ?? "main metric";
        Chart = MetricHistoryChart.Render(metric, [.. History.Versions.Select(v => new MetricHistoryChart.Point(
            v.Version, ModelHistory.TestMetric(v), ModelHistory.CrossValidationMetric(v)?.Mean, v.Version == served))]);
        return Page();
    }
}
