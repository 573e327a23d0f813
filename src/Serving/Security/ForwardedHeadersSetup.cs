using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using MLPipeline.Serving.Options;

namespace MLPipeline.Serving.Security;

/// <summary>
/// <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c>, believed only from <c>Serving:ForwardedHeaders</c>'s proxies and
/// networks, and only the entry the nearest proxy appended (a client can write anything before it). With no proxy
/// configured the middleware is not added at all: ASP.NET Core's own middleware trusts every peer when both of its
/// lists are empty.
/// </summary>
public static class ForwardedHeadersSetup
{
    public static IServiceCollection AddServingForwardedHeaders(this IServiceCollection services, ForwardedHeadersSettings settings)
    {
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.ForwardLimit = 1;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();

            // Invalid entries are skipped here; the options validator stops the start naming them.
            foreach (var proxy in settings.KnownProxies)
            {
                if (IPAddress.TryParse(proxy, out var address))
                {
                    options.KnownProxies.Add(address);
                }
            }

            foreach (var network in settings.KnownNetworks)
            {
                if (System.Net.IPNetwork.TryParse(network, out var parsed))
                {
                    options.KnownIPNetworks.Add(parsed);
                }
            }
        });
        return services;
    }

    public static IApplicationBuilder UseServingForwardedHeaders(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;
        if (options.KnownProxies.Count > 0 || options.KnownIPNetworks.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ForwardedHeadersSetup));
        var noticed = 0;
        return app.Use((context, next) =>
        {
            // Once per process: the address to configure when a proxy's headers are being ignored.
            if (context.Request.Headers.ContainsKey(ForwardedHeadersDefaults.XForwardedForHeaderName)
                && !context.Request.Headers.ContainsKey(ForwardedHeadersDefaults.XOriginalForHeaderName)
                && Interlocked.Exchange(ref noticed, 1) == 0)
            {
                logger.LogInformation(
                    "X-Forwarded-For from {Peer} is ignored: that address is not in Serving:ForwardedHeaders:KnownProxies or KnownNetworks, so the peer's own address counts as the client's.",
                    context.Connection.RemoteIpAddress);
            }

            return next(context);
        });
    }
}
