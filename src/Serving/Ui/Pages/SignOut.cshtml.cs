using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MLPipeline.Serving.Ui.Pages;

/// <summary>Sign-out: a POST (with its anti-forgery token), so a link elsewhere cannot sign anyone out.</summary>
public sealed class SignOutModel : PageModel
{
    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(UiAuthentication.CookieScheme);
        return LocalRedirect(UiAuthentication.SignInPath);
    }
}
