using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using MLPipeline.Shared.Store;

namespace MLPipeline.Serving.Ui.Pages;

/// <summary>
/// The confirmation step of an alias move (promote, rollback): the page shows the alias as the store holds it now and
/// carries its ETag in the form; the move, done by the store code the CLI uses, lands only if the alias is still so.
/// </summary>
public abstract class AliasMovePage(StoreCatalog catalog) : PageModel
{
    /// <summary>The form's value for "the alias did not exist".</summary>
    public const string Absent = "absent";

    [FromRoute]
    public string Name { get; set; } = "";

    /// <summary>The alias as read for this page, null when it does not exist yet.</summary>
    public AliasRecord? Current { get; private set; }

    /// <summary>What the person saw, posted back with the confirmation.</summary>
    [BindProperty]
    public string Seen { get; set; } = "";

    public string? Error { get; private set; }

    protected IModelStore Store => catalog.Store;

    protected async Task ReadAsync(string alias, CancellationToken cancellationToken)
    {
        Current = await Store.FindAliasAsync(Name, alias, cancellationToken);
        Seen = Current?.ETag ?? Absent;

        // The form shows this state, not the one posted before a conflict.
        ModelState.Remove(nameof(Seen));
    }

    /// <summary>Runs the move; on success back to the model page, else this page again with the reason and the alias read anew.</summary>
    protected async Task<IActionResult> MoveAsync(string alias, Func<SeenAlias, string, Task<AliasRecord>> move, CancellationToken cancellationToken)
    {
        var seen = Seen == Absent ? SeenAlias.Absent : new SeenAlias(Seen);
        try
        {
            var moved = await move(seen, UiAuthentication.MoverOf(User));
            catalog.Invalidate(Name);
            return Redirect($"/ui/models/{Name}?moved={Uri.EscapeDataString(moved.Alias)}");
        }
        catch (AliasConflictException)
        {
            Error = $"{Name}@{alias} was moved by someone else since this page was shown. Here it is as it is now: confirm again if the move still makes sense.";
            Response.StatusCode = StatusCodes.Status409Conflict;
        }
        catch (ModelStoreException ex)
        {
            Error = ex.Message;
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }

        catalog.Invalidate(Name);
        await ReadAsync(alias, cancellationToken);
        return Page();
    }
}
