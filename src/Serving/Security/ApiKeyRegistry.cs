using System.Buffers;
using System.Buffers.Binary;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using MLPipeline.Serving.Options;

namespace MLPipeline.Serving.Security;

/// <summary>
/// The configured API keys with their id and role, built once. A presented key is compared with every configured key
/// in fixed time (no early exit): each key is laid out as its UTF-8 length then its bytes, zero-padded to the longest
/// configured key, and the presented key is laid out the same way, so neither a key's content nor its length leaks
/// through timing (a presented key longer than every configured one keeps only its length, and matches none).
/// </summary>
/// <remarks>
/// The keys used to be compared as SHA-256 digests: the same guarantee, but the digest cost more CPU per request than
/// the rest of the key check together (tests/Benchmarks/RESULTS.md). Each key's successful authentication result (its
/// caller identity and role) is built here once, so a request with a valid key allocates nothing for it. The principal
/// is shared by every request with that key, so nothing may change it (the service only reads claims).
/// </remarks>
public sealed class ApiKeyRegistry
{
    private const int StackLimit = 512;

    private readonly Entry[] _entries;
    private readonly int _width;

    public ApiKeyRegistry(IOptions<ServingOptions> options)
    {
        var keys = options.Value.ApiKeys;
        _width = sizeof(int) + keys.Select(k => Encoding.UTF8.GetByteCount(k.Key ?? "")).DefaultIfEmpty(0).Max();
        _entries = [.. keys.Select(k =>
        {
            var laid = new byte[_width];
            LayOut(k.Key ?? "", laid);
            return new Entry(laid, k.Id ?? "", k.Role ?? "");
        })];
    }

    public bool IsEmpty => _entries.Length == 0;

    /// <summary>Whether <paramref name="principal"/> is one of the principals built here (the same object, not an equal one).</summary>
    internal bool Issued(ClaimsPrincipal principal)
    {
        foreach (var entry in _entries)
        {
            if (ReferenceEquals(entry.Principal, principal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The id and role of the key, or null when no configured key matches.</summary>
    public (string Id, string Role)? Find(string presented) => Match(presented) is { } match ? (match.Id, match.Role) : null;

    /// <summary>The key's authentication result (ready to return), or null when no configured key matches.</summary>
    internal Task<AuthenticateResult>? Authenticate(string presented) => Match(presented)?.Result;

    private Entry? Match(string presented)
    {
        byte[]? rented = null;
        var candidate = _width <= StackLimit ? stackalloc byte[_width] : (rented = ArrayPool<byte>.Shared.Rent(_width)).AsSpan(0, _width);
        try
        {
            LayOut(presented, candidate);
            Entry? match = null;
            foreach (var entry in _entries)
            {
                if (CryptographicOperations.FixedTimeEquals(candidate, entry.LaidOut))
                {
                    match = entry;
                }
            }

            return match;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(candidate);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The role of the key with this id, or null when no configured key has it (a sign-in outliving its key).</summary>
    public string? RoleOfId(string id) => _entries.FirstOrDefault(e => e.Id == id)?.Role;

    /// <summary>The key's UTF-8 length (4 bytes), then its bytes when they fit, then zeros.</summary>
    private static void LayOut(string key, Span<byte> destination)
    {
        destination.Clear();
        var length = Encoding.UTF8.GetByteCount(key);
        BinaryPrimitives.WriteInt32LittleEndian(destination, length);
        if (length <= destination.Length - sizeof(int))
        {
            Encoding.UTF8.GetBytes(key, destination[sizeof(int)..]);
        }
    }

    private sealed record Entry(byte[] LaidOut, string Id, string Role)
    {
        public Task<AuthenticateResult> Result { get; } = Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(
            new ClaimsPrincipal(new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, Id), new Claim(ServingClaims.Caller, Id, ClaimValueTypes.String, ApiKeyAuthenticationHandler.SchemeName), new Claim(ServingClaims.Role, Role)],
                ApiKeyAuthenticationHandler.SchemeName)),
            ApiKeyAuthenticationHandler.SchemeName)));

        public ClaimsPrincipal Principal => Result.Result.Principal!;
    }
}
