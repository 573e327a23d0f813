namespace MLPipeline.Serving.Options;

/// <summary>
/// <c>Serving:ForwardedHeaders</c>: the proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed.
/// Both empty (the default): the headers are never honoured and the connection's own address counts.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    /// <summary>Proxy addresses, e.g. <c>10.0.0.4</c>.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation, e.g. <c>10.0.0.0/23</c> (a Container Apps infrastructure subnet).</summary>
    public List<string> KnownNetworks { get; set; } = [];
}
