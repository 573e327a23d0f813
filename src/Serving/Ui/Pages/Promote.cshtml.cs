using Microsoft.AspNetCore.Mvc;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Ui.Pages;

/// <summary>Promote: point an alias at a version, after a confirmation that shows where it points now.</summary>
public sealed class PromoteModel(StoreCatalog catalog) : AliasMovePage(catalog)
{
    private readonly StoreCatalog _catalog = catalog;

    [BindProperty(SupportsGet = true)]
    public string Version { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string Alias { get; set; } = "";

    public ModelManifest Target { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (await FindTargetAsync(cancellationToken) is not { } target)
        {
            return NotFound();
        }

        Target = target;
        await ReadAsync(Alias, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (await FindTargetAsync(cancellationToken) is not { } target)
        {
            return NotFound();
        }

        Target = target;
        return await MoveAsync(Alias, (seen, mover) => Store.PromoteAsync(Name, Version, Alias, seen, mover, cancellationToken), cancellationToken);
    }

    private async Task<ModelManifest?> FindTargetAsync(CancellationToken cancellationToken) =>
        StoreNames.IsValid(Name) && StoreNames.IsValid(Alias) && StoreNames.IsValid(Version)
            ? await _catalog.FindVersionAsync(Name, Version, cancellationToken)
            : null;
}
