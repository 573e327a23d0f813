using Microsoft.AspNetCore.Mvc;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Ui.Pages;

/// <summary>Rollback: move an alias back to the version it pointed at before, after a confirmation.</summary>
public sealed class RollbackModel(StoreCatalog catalog) : AliasMovePage(catalog)
{
    [FromRoute]
    public string Alias { get; set; } = "";

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!StoreNames.IsValid(Name) || !StoreNames.IsValid(Alias))
        {
            return NotFound();
        }

        await ReadAsync(Alias, cancellationToken);
        return Current is null ? NotFound() : Page();
    }

    public Task<IActionResult> OnPostAsync(CancellationToken cancellationToken) =>
        !StoreNames.IsValid(Name) || !StoreNames.IsValid(Alias)
            ? Task.FromResult<IActionResult>(NotFound())
            : MoveAsync(Alias, (seen, mover) => Store.RollbackAsync(Name, Alias, seen, mover, cancellationToken), cancellationToken);
}
