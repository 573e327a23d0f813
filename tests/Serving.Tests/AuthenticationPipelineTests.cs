using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// ASP.NET Core's authentication middleware is not in the service's pipeline (the policies authenticate where a route
/// asks), neither the app's own nor the one WebApplication would add in front of everything; the keys still decide.
/// </summary>
[Collection(ServingTestGroup.Name)]
public sealed class AuthenticationPipelineTests(TrainedModelsFixture fixture)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_prediction_does_not_pass_through_the_authentication_middleware(bool keys)
    {
        var seen = new MiddlewareTrace();
        var settings = new Dictionary<string, string?> { ["Serving:Models:0"] = TrainedModels.HousePrices };
        if (keys)
        {
            settings["Serving:ApiKeys:0"] = ServingApp.ApiKey;
        }

        await using var app = new ServingApp(fixture.Models, settings,
            builder => builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter>(seen)));
        var client = await app.ReadyClientAsync(keys ? ServingApp.ApiKey : null);
        var body = ServingApp.Instances(TrainedModels.Instance(fixture.Models.HousePricesMain));

        (await client.PostAsync("/models/house-prices/predict", body)).StatusCode.Should().Be(HttpStatusCode.OK);
        seen.AuthenticationFeatureSet.Should().BeFalse("the authentication middleware sets IAuthenticationFeature on every request it sees");

        if (keys)
        {
            var stranger = app.CreateClient();
            (await stranger.PostAsync("/models/house-prices/predict", body)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            var wrong = app.WithKey(ServingApp.ApiKey + "x");
            (await wrong.PostAsync("/models/house-prices/predict", body)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }
    }

    /// <summary>The outermost middleware: after the request, whether anything inside set the authentication feature.</summary>
    private sealed class MiddlewareTrace : IStartupFilter
    {
        public bool AuthenticationFeatureSet { get; private set; }

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (HttpContext context, RequestDelegate nextMiddleware) =>
            {
                await nextMiddleware(context);
                if (context.Request.Path.StartsWithSegments("/models"))
                {
                    AuthenticationFeatureSet |= context.Features.Get<IAuthenticationFeature>() is not null;
                }
            });
            next(app);
        };
    }
}
