using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using MLPipeline.Serving.Options;

namespace MLPipeline.Serving.Security;

/// <summary>
/// The configured API keys as SHA-256 digests with their id and role, built once. A presented key is compared with
/// every digest in fixed time (no early exit), so neither a key's content nor its length leaks through timing.
/// </summary>
public sealed class ApiKeyRegistry(IOptions<ServingOptions> options)
{
    private readonly Entry[] _entries = [.. options.Value.ApiKeys.Select(k => new Entry(SHA256.HashData(Encoding.UTF8.GetBytes(k.Key ?? "")), k.Id ?? "", k.Role ?? ""))];

    public bool IsEmpty => _entries.Length == 0;

    /// <summary>The id and role of the key, or null when no configured key matches.</summary>
    public (string Id, string Role)? Find(string presented)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        Entry? match = null;
        foreach (var entry in _entries)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, entry.Digest))
            {
                match = entry;
            }
        }

        return match is null ? null : (match.Id, match.Role);
    }

    /// <summary>The role of the key with this id, or null when no configured key has it (a sign-in outliving its key).</summary>
    public string? RoleOfId(string id) => _entries.FirstOrDefault(e => e.Id == id)?.Role;

    private sealed record Entry(byte[] Digest, string Id, string Role);
}
