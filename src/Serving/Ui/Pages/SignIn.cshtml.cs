using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Security;

namespace MLPipeline.Serving.Ui.Pages;

/// <summary>
/// Sign-in: an admin API key typed in becomes a sign-in cookie (the key itself is never stored in the browser); a key
/// without the admin role gets 403 and no cookie. With an Entra ID application configured, a link starts its login.
/// </summary>
public sealed class SignInModel(ApiKeyRegistry keys, IOptions<ServingOptions> options) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string Key { get; set; } = "";

    public string? Error { get; private set; }

    public bool KeysConfigured => !keys.IsEmpty;

    public bool EntraConfigured => options.Value.Jwt.Enabled && !string.IsNullOrWhiteSpace(options.Value.Ui.OidcClientId);

    public IActionResult OnGet() => ServingSecurity.IsEnabled(options.Value) ? Page() : LocalRedirect(Destination);

    public async Task<IActionResult> OnPostAsync()
    {
        switch (string.IsNullOrWhiteSpace(Key) ? null : keys.Find(Key.Trim()))
        {
            case null:
                Error = "That is not a valid API key.";
                Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Page();
            case { Role: not ServingClaims.AdminRole } key:
                Error = $"The key '{key.Id}' has the {key.Role} role; these pages need the admin role.";
                Response.StatusCode = StatusCodes.Status403Forbidden;
                return Page();
            case { } admin:
                await HttpContext.SignInAsync(UiAuthentication.CookieScheme, UiAuthentication.KeyPrincipal(admin.Id));
                return LocalRedirect(Destination);
        }
    }

    /// <summary>Starts the Entra ID login; it comes back signed in, to where the person was going.</summary>
    public IActionResult OnGetEntra() =>
        EntraConfigured ? Challenge(new AuthenticationProperties { RedirectUri = Destination }, UiAuthentication.OidcScheme) : NotFound();

    /// <summary>Only back into the pages: a sign-in link cannot send anyone elsewhere.</summary>
    private string Destination => ReturnUrl is { } url && Url.IsLocalUrl(url) && url.StartsWith("/ui", StringComparison.Ordinal) ? url : "/ui";
}
