using Microsoft.AspNetCore.Authentication;

namespace MLPipeline.Serving.Security;

/// <summary>
/// Accepts <c>X-Api-Key: &lt;key&gt;</c> or <c>Authorization: ApiKey &lt;key&gt;</c>. The caller gets the key's id as its
/// identity and the key's role; the secret itself never leaves this class and the registry.
/// </summary>
/// <remarks>
/// A plain <see cref="IAuthenticationHandler"/>, not ASP.NET Core's AuthenticationHandler base class: that one creates
/// a logger (a locked lookup), reads its options and builds an events object for every request, which cost the
/// predict route more than the model did (tests/Benchmarks/RESULTS.md). The behaviour is the same: an absent key is
/// no result, a wrong key a failure (logged), a challenge 401 with <c>WWW-Authenticate</c>, a forbid 403.
/// </remarks>
public sealed class ApiKeyAuthenticationHandler(ApiKeyRegistry keys, ILogger<ApiKeyAuthenticationHandler> logger) : IAuthenticationHandler
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    private static readonly Task<AuthenticateResult> NoKey = Task.FromResult(AuthenticateResult.NoResult());
    private static readonly Task<AuthenticateResult> WrongKey = Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));

    private HttpContext _context = null!;
    private Task<AuthenticateResult>? _result;

    public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
    {
        _context = context;
        return Task.CompletedTask;
    }

    /// <summary>Authenticates once per request; later calls (the middleware, a policy) get the same result.</summary>
    public Task<AuthenticateResult> AuthenticateAsync() => _result ??= Authenticate();

    public Task ChallengeAsync(AuthenticationProperties? properties)
    {
        _context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        _context.Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{HeaderName}\"";
        return Task.CompletedTask;
    }

    public Task ForbidAsync(AuthenticationProperties? properties)
    {
        _context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }

    private Task<AuthenticateResult> Authenticate() => Authenticate(_context.Request, keys, logger);

    /// <summary>The key a request presents, checked: no result without one, a failure (logged) for a wrong one.</summary>
    internal static Task<AuthenticateResult> Authenticate(HttpRequest request, ApiKeyRegistry keys, ILogger logger)
    {
        var headers = request.Headers;
        string? presented = null;
        if (headers.TryGetValue(HeaderName, out var header))
        {
            presented = header.ToString();
        }
        else if (headers.Authorization.ToString() is { } authorization
            && authorization.StartsWith(SchemeName + " ", StringComparison.OrdinalIgnoreCase))
        {
            presented = authorization[(SchemeName.Length + 1)..].Trim();
        }

        if (string.IsNullOrEmpty(presented) || keys.IsEmpty)
        {
            return NoKey;
        }

        if (keys.Authenticate(presented) is { } result)
        {
            return result;
        }

        logger.LogInformation("{Scheme} was not authenticated: the API key is not valid.", SchemeName);
        return WrongKey;
    }
}
