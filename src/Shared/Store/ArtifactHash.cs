using System.Security.Cryptography;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Shared.Store;

/// <summary>SHA-256 in lower-case hex: the one form used in manifests.</summary>
public static class ArtifactHash
{
    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static async Task<string> OfFileAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    public static ArtifactInfo Describe(string path)
    {
        using var stream = File.OpenRead(path);
        return new ArtifactInfo(Convert.ToHexStringLower(SHA256.HashData(stream)), stream.Length);
    }

    /// <summary>Before an artifact is read: its name is a plain file name and the manifest lists it.</summary>
    /// <exception cref="ArgumentException">The name is not a valid artifact name.</exception>
    /// <exception cref="ModelNotFoundException">The manifest does not list it.</exception>
    public static ArtifactInfo CheckListed(ModelManifest manifest, string fileName, string location)
    {
        if (ArtifactName.Problem(fileName) is { } problem)
        {
            throw new ArgumentException($"Invalid artifact name {ArtifactName.Quote(fileName)}: {problem}.", nameof(fileName));
        }

        return manifest.Artifacts.TryGetValue(fileName, out var expected)
            ? expected
            : throw new ModelNotFoundException($"{manifest.Name}:{manifest.Version} has no artifact '{fileName}' in {location}.");
    }

    /// <summary>Checks bytes read from a store against the manifest; names the artifact and what is wrong.</summary>
    public static void Verify(ModelManifest manifest, string fileName, ReadOnlySpan<byte> bytes, string location)
    {
        var expected = CheckListed(manifest, fileName, location);

        if (bytes.Length != expected.Size)
        {
            throw new ModelIntegrityException(
                $"{location}: {manifest.Name}:{manifest.Version}/{fileName} is {bytes.Length} bytes but the manifest records {expected.Size} (truncated or replaced); refusing it.");
        }

        var actual = Of(bytes);
        if (!string.Equals(actual, expected.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelIntegrityException(
                $"{location}: {manifest.Name}:{manifest.Version}/{fileName} has SHA-256 {actual} but the manifest records {expected.Sha256} (tampered); refusing it.");
        }
    }
}
