using System.Text.RegularExpressions;

namespace MLPipeline.Deploy.Tests;

/// <summary>Finds strings that look like credentials: storage keys, SAS signatures, private keys, tokens, passwords.</summary>
public static partial class SecretScanner
{
    private static readonly (string Name, Regex Pattern)[] Rules =
    [
        ("storage account key in a connection string", AccountKey()),
        ("shared access key", SharedAccessKey()),
        ("SAS signature", SasSignature()),
        ("private key", PrivateKey()),
        ("long base64 value (key-like)", Base64Key()),
        ("password or secret assigned a literal", AssignedSecret()),
        ("GitHub token", GitHubToken()),
        ("AWS access key", AwsKey()),
        ("JSON web token", Jwt()),
    ];

    public static IEnumerable<string> Scan(string name, string text) =>
        text.Split('\n').SelectMany((line, index) => Rules
            .Where(rule => rule.Pattern.IsMatch(line))
            .Select(rule => $"{name}:{index + 1}: {rule.Name}"));

    [GeneratedRegex(@"AccountKey\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex AccountKey();

    [GeneratedRegex(@"SharedAccess(Key|Signature)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex SharedAccessKey();

    [GeneratedRegex(@"[?&]sig=[^&\s]+", RegexOptions.IgnoreCase)]
    private static partial Regex SasSignature();

    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY-----")]
    private static partial Regex PrivateKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9+/])(?=[A-Za-z0-9+/]*\d)(?=[A-Za-z0-9+/]*[a-z])(?=[A-Za-z0-9+/]*[A-Z])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/])")]
    private static partial Regex Base64Key();

    [GeneratedRegex(@"\b(password|passwd|pwd|secret|client_secret|api_?key|access_?key|token)\b\s*[:=]\s*['""]?[^\s'""$({\[]{6,}", RegexOptions.IgnoreCase)]
    private static partial Regex AssignedSecret();

    [GeneratedRegex(@"\bgh[pousr]_[A-Za-z0-9]{30,}")]
    private static partial Regex GitHubToken();

    [GeneratedRegex(@"\bAKIA[0-9A-Z]{16}\b")]
    private static partial Regex AwsKey();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}")]
    private static partial Regex Jwt();
}
