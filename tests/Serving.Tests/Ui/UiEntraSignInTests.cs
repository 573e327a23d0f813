using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using MLPipeline.Serving.Ui;

namespace MLPipeline.Serving.Tests.Ui;

/// <summary>
/// The pages' Entra ID login with Entra mocked: the authority's OpenID configuration (authorize endpoint, issuer, signing
/// key) is handed to the real OpenID Connect handler, and the test plays the browser and Entra: follow the sign-in link
/// to the authorize endpoint, post an ID token back to the callback, then open the pages with the cookie it set.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed partial class UiEntraSignInTests(TrainedModelsFixture fixture) : IAsyncLifetime
{
    private const string Authority = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0";
    private const string ClientId = "11111111-2222-3333-4444-555555555555";
    private const string AdminRole = "Models.Admin";
    private static readonly SymmetricSecurityKey SigningKey = new(Enumerable.Range(0, 32).Select(i => (byte)(i * 11)).ToArray());

    private readonly ServingApp _app = new(fixture.Models, new Dictionary<string, string?>
    {
        ["Serving:Store"] = SecurityTestSupport.EmptyStore(),
        ["Serving:Jwt:Authority"] = Authority,
        ["Serving:Jwt:Audience"] = "api://mlpipeline-serving",
        ["Serving:Jwt:PredictRole"] = "Predict.Invoke",
        ["Serving:Jwt:AdminRole"] = AdminRole,
        ["Serving:Ui:OidcClientId"] = ClientId,
    }, builder => builder.ConfigureTestServices(services => services.PostConfigure<OpenIdConnectOptions>(UiAuthentication.OidcScheme, options =>
    {
        // Entra itself is not asked: its OpenID configuration (authorize endpoint, issuer, signing key) is given.
        var configuration = new OpenIdConnectConfiguration { Issuer = Authority, AuthorizationEndpoint = Authority + "/oauth2/v2.0/authorize" };
        configuration.SigningKeys.Add(SigningKey);
        options.Configuration = configuration;
        options.ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(configuration);
    })));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_user_with_the_admin_app_role_signs_in_through_Entra_and_one_without_it_gets_403()
    {
        var admin = await SignInAsync(new Dictionary<string, object> { ["sub"] = "u-1", ["preferred_username"] = "ada@contoso.com", ["roles"] = new[] { AdminRole } });
        var page = await admin.GetAsync("/ui");
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        (await page.Content.ReadAsStringAsync()).Should().Contain("signed in as <strong>ada@contoso.com</strong>");

        var reader = await SignInAsync(new Dictionary<string, object> { ["sub"] = "u-2", ["preferred_username"] = "bob@contoso.com", ["roles"] = new[] { "Predict.Invoke" } });
        (await reader.GetAsync("/ui")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_login_handler_is_not_offered_every_request_so_predictions_never_meet_it()
    {
        var schemes = _app.Services.GetRequiredService<IAuthenticationSchemeProvider>();
        (await schemes.GetSchemeAsync(UiAuthentication.OidcScheme)).Should().NotBeNull("the login is configured");
        (await schemes.GetRequestHandlerSchemesAsync()).Select(s => s.Name).Should().NotContain(UiAuthentication.OidcScheme);
    }

    /// <summary>The browser's round trip: the link, Entra's form post of the ID token, the redirect back into the pages.</summary>
    private async Task<HttpClient> SignInAsync(Dictionary<string, object> claims)
    {
        var browser = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });
        var link = await browser.GetAsync("/ui/signin?handler=entra&returnUrl=%2Fui");
        link.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var authorize = link.Headers.Location!;
        authorize.GetLeftPart(UriPartial.Path).Should().Be(Authority + "/oauth2/v2.0/authorize");
        var query = QueryPair().Matches(authorize.Query).ToDictionary(m => m.Groups[1].Value, m => Uri.UnescapeDataString(m.Groups[2].Value));
        query["client_id"].Should().Be(ClientId);
        query["redirect_uri"].Should().Be("https://localhost/ui/signin-oidc");
        query["response_mode"].Should().Be("form_post");

        var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = ClientId,
            Claims = new Dictionary<string, object>(claims) { ["nonce"] = query["nonce"] },
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.HmacSha256),
        });
        var callback = await browser.PostAsync("/ui/signin-oidc", new FormUrlEncodedContent(new Dictionary<string, string> { ["id_token"] = idToken, ["state"] = query["state"] }));
        callback.StatusCode.Should().Be(HttpStatusCode.Redirect, await callback.Content.ReadAsStringAsync());
        callback.Headers.Location!.ToString().Should().Be("/ui");
        return browser;
    }

    [GeneratedRegex("[?&]([^=&]+)=([^&]*)")]
    private static partial Regex QueryPair();
}
