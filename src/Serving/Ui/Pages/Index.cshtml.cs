using Microsoft.AspNetCore.Mvc.RazorPages;
using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Ui.Pages;

/// <summary>Models: every model in the store and every model this replica serves, with aliases, served version and status.</summary>
public sealed class IndexModel(StoreCatalog catalog, PredictionEnginePool pool) : PageModel
{
    public sealed record Row(string Name, ModelHistory? History, ModelSlot? Slot, string? Error)
    {
        /// <summary>The version whose task and metric the row shows: the one served, else the newest.</summary>
        public ModelManifest? Shown => Slot?.Current?.Manifest ?? History?.Newest;
    }

    public IReadOnlyList<Row> Rows { get; private set; } = [];

    public string Location => catalog.Location;

    public DateTimeOffset? ReadUtc { get; private set; }

    public string? StoreError { get; private set; }

    public async Task OnGetAsync()
    {
        IReadOnlyList<string> stored = [];
        try
        {
            var models = await catalog.ModelsAsync();
            (stored, ReadUtc, StoreError) = (models.Value, models.ReadUtc, models.RefreshError);
        }
        catch (ModelStoreException ex)
        {
            StoreError = ex.Message;
        }

        var names = stored.Union(pool.Models.Select(m => m.Name)).Order(StringComparer.Ordinal);
        Rows = await Task.WhenAll(names.Select(async name =>
        {
            var slot = pool.Find(name);
            if (!stored.Contains(name))
            {
                return new Row(name, null, slot, null);
            }

            try
            {
                return new Row(name, (await catalog.HistoryAsync(name)).Value, slot, null);
            }
            catch (ModelStoreException ex)
            {
                return new Row(name, null, slot, ex.Message);
            }
        }));
    }
}
