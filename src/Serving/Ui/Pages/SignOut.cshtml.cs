using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Security;

namespace MLPipeline.Serving.Ui.Pages;

/// <summary>Sign-out: a POST (with its anti-forgery token), so a link elsewhere cannot sign anyone out.</summary>
public sealed class SignOutModel(IOptions<ServingOptions> options) : PageModel
{
    public async Task<IActionResult> OnPostAsync()
    {
        if (!ServingSecurity.IsEnabled(options.Value))
        {
            // Nobody signs in when security is off.
            return LocalRedirect("/ui");
        }

        await HttpContext.SignOutAsync(UiAuthentication.CookieScheme);
        return LocalRedirect(UiAuthentication.SignInPath);
    }
}
