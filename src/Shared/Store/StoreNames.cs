using System.Text.RegularExpressions;

namespace MLPipeline.Shared.Store;

/// <summary>Model names, versions and aliases become path segments and blob names: keep them safe.</summary>
public static partial class StoreNames
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex SafeSegment();

    public static bool IsValid(string? value) => Problem(value) is null;

    public static string Check(string value, string what) =>
        Problem(value) is { } problem ? throw new ArgumentException($"Invalid {what} '{value}': {problem}.", what) : value;

    /// <summary>
    /// Why <paramref name="value"/> cannot be a name, version or alias, or null when it can. Names must hold on every
    /// store, so the rules include Windows': a folder store there drops a trailing dot ("v1." would be "v1") and cannot
    /// create a file or folder named after a device, whatever its extension.
    /// </summary>
    public static string? Problem(string? value)
    {
        if (value is null || !SafeSegment().IsMatch(value) || value.Contains("..", StringComparison.Ordinal))
        {
            return "use up to 100 letters, digits, '.', '_' or '-', starting with a letter or digit";
        }

        if (value.EndsWith('.'))
        {
            return "it must not end with '.' (a folder store on Windows drops a trailing dot)";
        }

        var stem = value.AsSpan(0, value.IndexOf('.') is >= 0 and var dot ? dot : value.Length);
        return IsWindowsDeviceName(stem)
            ? $"'{stem}' is a device name on Windows (CON, PRN, AUX, NUL, COM0-COM9, LPT0-LPT9), which a folder store there cannot hold"
            : null;
    }

    private static bool IsWindowsDeviceName(ReadOnlySpan<char> stem) =>
        stem.Equals("CON", StringComparison.OrdinalIgnoreCase)
        || stem.Equals("PRN", StringComparison.OrdinalIgnoreCase)
        || stem.Equals("AUX", StringComparison.OrdinalIgnoreCase)
        || stem.Equals("NUL", StringComparison.OrdinalIgnoreCase)
        || (stem.Length == 4 && char.IsAsciiDigit(stem[3])
            && (stem.StartsWith("COM", StringComparison.OrdinalIgnoreCase) || stem.StartsWith("LPT", StringComparison.OrdinalIgnoreCase)));

    public static string VersionPath(string name, string version) => $"{name}/versions/{version}";

    public static string AliasPath(string name, string alias) => $"{name}/aliases/{alias}.json";

    /// <summary>
    /// A document path inside a model's folder: one or two safe segments, a <c>.json</c> file, never inside
    /// <c>versions/</c> (immutable) or <c>aliases/</c> (moved only through the alias contract).
    /// </summary>
    public static string CheckDocument(string path)
    {
        var parts = path.Split('/');
        var valid = parts.Length is 1 or 2
            && parts.All(IsValid)
            && parts[^1].EndsWith(".json", StringComparison.Ordinal)
            && parts[0] is not ("versions" or "aliases");
        return valid
            ? path
            : throw new ArgumentException($"Invalid document path '{path}': use 'file.json' or 'folder/file.json' with safe names, outside versions/ and aliases/.", nameof(path));
    }

    /// <summary>A folder of documents inside a model's folder (see <see cref="CheckDocument"/>).</summary>
    public static string CheckDocumentFolder(string folder) =>
        IsValid(folder) && folder is not ("versions" or "aliases")
            ? folder
            : throw new ArgumentException($"Invalid document folder '{folder}'.", nameof(folder));
}
