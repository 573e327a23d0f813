using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests;

/// <summary>Helpers of the security tests: an empty store, admin POST bodies, a fixed peer address, keyed clients.</summary>
internal static class SecurityTestSupport
{
    /// <summary>An empty body typed as JSON, as admin POSTs require.</summary>
    public static HttpContent EmptyJson() => new ByteArrayContent([]) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };

    /// <summary>A store folder with no model: the app starts at once and loads nothing (for routes that need no model).</summary>
    public static string EmptyStore() => RunTempFolder.NewFolder("empty-store-");

    public static HttpClient WithKey(this WebApplicationFactory<Program> app, string key)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    /// <summary>The same app with every connection coming from <paramref name="peer"/> (TestServer sets no remote address).</summary>
    public static WebApplicationFactory<Program> FromPeer(this WebApplicationFactory<Program> app, IPAddress peer) =>
        app.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter>(new PeerAddress(peer))));

    private sealed class PeerAddress(IPAddress peer) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = peer;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
