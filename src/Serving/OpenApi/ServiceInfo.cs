using Microsoft.OpenApi;

namespace MLPipeline.Serving.OpenApi;

/// <summary>What the service's document and every model document say about the service as a whole.</summary>
internal static class ServiceInfo
{
    /// <summary>The service is not published under an open licence (an SPDX reference to the operator's own terms).</summary>
    public static OpenApiLicense License => new() { Name = "Proprietary", Identifier = "LicenseRef-Proprietary" };

    public static string Description(bool securityEnabled) =>
        "Serves ML.NET models trained by MLPipeline: predictions over JSON instances or the Open Inference Protocol v2, "
        + "the served models' state, reloads and on-demand versions. Errors are RFC 9457 problem details (the v2 routes "
        + "answer their own errors as `{\"error\"}`). `GET /models/{name}/openapi.json` describes one model with its "
        + "input columns typed, for client generators. "
        + (securityEnabled
            ? "Routes need the predict or the admin role (an admin key or token may call every predict route)."
            : "No API key and no JWT authority are configured: every route is open (local development).");

    /// <summary>The address the caller reached the service at, without a trailing slash (paths are joined to it).</summary>
    public static string ServerUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}".TrimEnd('/');
}
