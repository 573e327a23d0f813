using System.Buffers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using MLPipeline.Serving.Options;

namespace MLPipeline.Serving.Security;

/// <summary>
/// The configured API keys as SHA-256 digests with their id and role, built once. A presented key is compared with
/// every digest in fixed time (no early exit), so neither a key's content nor its length leaks through timing.
/// </summary>
/// <remarks>
/// Each key's successful authentication result (its caller identity and role) is built here once: a request with a
/// valid key costs one SHA-256 of the key on the stack and no claims of its own. The principal is shared by every
/// request with that key, so nothing may change it (the service only reads claims).
/// </remarks>
public sealed class ApiKeyRegistry(IOptions<ServingOptions> options)
{
    private const int StackLimit = 256;

    private readonly Entry[] _entries = [.. options.Value.ApiKeys.Select(k => new Entry(SHA256.HashData(Encoding.UTF8.GetBytes(k.Key ?? "")), k.Id ?? "", k.Role ?? ""))];

    public bool IsEmpty => _entries.Length == 0;

    /// <summary>The id and role of the key, or null when no configured key matches.</summary>
    public (string Id, string Role)? Find(string presented) => Match(presented) is { } match ? (match.Id, match.Role) : null;

    /// <summary>The key's authentication result (ready to return), or null when no configured key matches.</summary>
    internal Task<AuthenticateResult>? Authenticate(string presented) => Match(presented)?.Result;

    private Entry? Match(string presented)
    {
        var length = Encoding.UTF8.GetMaxByteCount(presented.Length);
        byte[]? rented = null;
        var utf8 = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(presented, utf8)], digest);
            Entry? match = null;
            foreach (var entry in _entries)
            {
                if (CryptographicOperations.FixedTimeEquals(digest, entry.Digest))
                {
                    match = entry;
                }
            }

            return match;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private sealed record Entry(byte[] Digest, string Id, string Role)
    {
        public Task<AuthenticateResult> Result { get; } = Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(
            new ClaimsPrincipal(new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, Id), new Claim(ServingClaims.Caller, Id, ClaimValueTypes.String, ApiKeyAuthenticationHandler.SchemeName), new Claim(ServingClaims.Role, Role)],
                ApiKeyAuthenticationHandler.SchemeName)),
            ApiKeyAuthenticationHandler.SchemeName)));
    }
}
