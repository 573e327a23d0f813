using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// Entra ID bearer tokens and their roles, with Entra ID itself mocked: the authority's OpenID configuration (issuer and signing key)
/// is handed to the real JwtBearer handler instead of being downloaded; everything else is the app's own wiring.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class JwtAuthTests(TrainedModelsFixture fixture) : IAsyncLifetime
{
    private const string Authority = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0";
    private const string Audience = "api://mlpipeline-serving";
    private const string PredictRole = "Predict.Invoke";
    private const string AdminRole = "Models.Admin";
    private static readonly SymmetricSecurityKey SigningKey = new(Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray());

    private readonly ServingApp _app = new(
        fixture.Models,
        new Dictionary<string, string?>
        {
            ["Serving:Models:0"] = TrainedModels.HousePrices,
            ["Serving:Jwt:PredictRole"] = PredictRole,
            ["Serving:Jwt:AdminRole"] = AdminRole,
            ["Serving:Jwt:Authority"] = Authority,
            ["Serving:Jwt:Audience"] = Audience,
        },
        builder => builder.ConfigureTestServices(services => services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            // The authority's signing key given directly: no metadata download from a real identity provider.
            var configuration = new OpenIdConnectConfiguration { Issuer = Authority };
            configuration.SigningKeys.Add(SigningKey);
            options.Configuration = configuration;
            options.ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(configuration);
        })));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <param name="claims">The token's claims; a subject and the predict app role unless given.</param>
    private static string Token(string audience, DateTime expires, Dictionary<string, object>? claims = null) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Authority,
        Audience = audience,
        Claims = claims ?? new Dictionary<string, object> { ["sub"] = "caller", ["roles"] = new[] { PredictRole } },
        Expires = expires,
        SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.HmacSha256),
    });

    private static string Token(Dictionary<string, object> claims) => Token(Audience, DateTime.UtcNow.AddMinutes(5), claims);

    private async Task<HttpClient> ClientAsync(string token)
    {
        await PredictAs(null);
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task<HttpStatusCode> PredictAs(string? token)
    {
        var client = _app.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        (await Eventually.StatusAsync(client, "/healthz/ready", HttpStatusCode.OK, TimeSpan.FromSeconds(60))).Should().BeTrue("the service becomes ready");

        return (await client.PostAsync("/models/house-prices/predict", ServingApp.Instances(TrainedModels.Instance(fixture.Models.HousePricesMain)))).StatusCode;
    }

    [Fact]
    public async Task A_valid_token_for_the_audience_may_predict()
    {
        (await PredictAs(Token(Audience, DateTime.UtcNow.AddMinutes(5)))).Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task No_token_a_wrong_audience_or_an_expired_token_is_401()
    {
        (await PredictAs(null)).Should().Be(HttpStatusCode.Unauthorized);
        (await PredictAs(Token("api://someone-else", DateTime.UtcNow.AddMinutes(5)))).Should().Be(HttpStatusCode.Unauthorized);
        (await PredictAs(Token(Audience, DateTime.UtcNow.AddMinutes(-10)))).Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task App_roles_and_scopes_map_to_predict_and_admin()
    {
        var body = () => ServingApp.Instances(TrainedModels.Instance(fixture.Models.HousePricesMain));
        var predictByRole = await ClientAsync(Token(new() { ["sub"] = "app-1", ["roles"] = new[] { "Other", PredictRole } }));
        var predictByScope = await ClientAsync(Token(new() { ["sub"] = "user-1", ["scp"] = "openid " + PredictRole }));
        var adminByRole = await ClientAsync(Token(new() { ["sub"] = "app-2", ["roles"] = new[] { AdminRole } }));
        var adminByScope = await ClientAsync(Token(new() { ["oid"] = "user-2", ["scp"] = AdminRole + " profile" }));
        var noRole = await ClientAsync(Token(new() { ["sub"] = "user-3", ["scp"] = "User.Read" }));

        foreach (var client in new[] { predictByRole, predictByScope, adminByRole, adminByScope })
        {
            (await client.PostAsync("/models/house-prices/predict", body())).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await predictByRole.PostAsync("/models/house-prices/reload", SecurityTestSupport.EmptyJson())).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await predictByScope.PostAsync("/models/house-prices/aliases/canary/predict", body())).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await adminByRole.PostAsync("/models/house-prices/reload", SecurityTestSupport.EmptyJson())).StatusCode.Should().Be(HttpStatusCode.OK);
        (await adminByScope.PostAsync("/models/house-prices/aliases/canary/predict", body())).StatusCode.Should().Be(HttpStatusCode.OK);

        var refused = await noRole.PostAsync("/models/house-prices/predict", body());
        refused.StatusCode.Should().Be(HttpStatusCode.Forbidden, "authenticated, but without a configured role");
        (await ServingApp.JsonAsync(refused)).GetProperty("detail").GetString().Should().Contain("'user-3'").And.Contain("no role");
    }

    [Fact]
    public async Task A_token_cannot_grant_itself_the_services_own_role_claim_and_needs_a_subject()
    {
        var forged = await ClientAsync(Token(new() { ["sub"] = "app-3", ["roles"] = new[] { PredictRole }, ["mlpipeline/role"] = "admin" }));
        (await forged.PostAsync("/models/house-prices/reload", SecurityTestSupport.EmptyJson())).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var anonymous = await ClientAsync(Token(new() { ["roles"] = new[] { AdminRole } }));
        (await anonymous.GetAsync("/models")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }
}
