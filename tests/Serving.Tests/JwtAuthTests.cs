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

namespace MLPipeline.Serving.Tests;

/// <summary>
/// Entra ID bearer tokens, with Entra ID itself mocked: the authority's OpenID configuration (issuer and signing key)
/// is handed to the real JwtBearer handler instead of being downloaded; everything else is the app's own wiring.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class JwtAuthTests(TrainedModelsFixture fixture) : IAsyncLifetime
{
    private const string Authority = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0";
    private const string Audience = "api://mlpipeline-serving";
    private static readonly SymmetricSecurityKey SigningKey = new(Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray());

    private readonly JwtApp _app = new(fixture.Models);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private sealed class JwtApp(TrainedModels models) : Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            builder.UseSetting("Serving:Store", models.StoreDirectory);
            builder.UseSetting("Serving:Jwt:Authority", Authority);
            builder.UseSetting("Serving:Jwt:Audience", Audience);
            builder.ConfigureTestServices(services => services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
            {
                var configuration = new OpenIdConnectConfiguration { Issuer = Authority };
                configuration.SigningKeys.Add(SigningKey);
                options.Configuration = configuration;
                options.ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(configuration);
            }));
        }
    }

    private static string Token(string audience, DateTime expires) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Authority,
        Audience = audience,
        Subject = new ClaimsIdentity([new Claim("sub", "caller")]),
        Expires = expires,
        SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.HmacSha256),
    });

    private async Task<HttpStatusCode> PredictAs(string? token)
    {
        var client = _app.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await client.GetAsync("/healthz/ready")).StatusCode != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

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
}
