using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace MLPipeline.Serving.Ui;

/// <summary>
/// The app's authentication schemes, without the pages' Entra ID login among the schemes the authentication middleware
/// offers every request to: that middleware would create the OpenID Connect handler for each request (predictions
/// included) only to compare the path with the login's callback. The callback is an endpoint of the pages instead
/// (<see cref="UiServiceCollectionExtensions.MapUi"/>), which hands the request to the same handler.
/// </summary>
public sealed class UiAuthenticationSchemes(IOptions<AuthenticationOptions> options) : AuthenticationSchemeProvider(options)
{
    private IEnumerable<AuthenticationScheme>? _all;
    private AuthenticationScheme[] _offered = [];

    public override async Task<IEnumerable<AuthenticationScheme>> GetRequestHandlerSchemesAsync()
    {
        // The framework keeps one list until a scheme is added or removed: filter it once per list.
        var all = await base.GetRequestHandlerSchemesAsync();
        if (!ReferenceEquals(all, Volatile.Read(ref _all)))
        {
            var offered = all.Where(s => s.Name != UiAuthentication.OidcScheme).ToArray();
            Volatile.Write(ref _offered, offered);
            Volatile.Write(ref _all, all);
        }

        return Volatile.Read(ref _offered);
    }
}
