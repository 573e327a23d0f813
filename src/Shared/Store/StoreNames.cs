using System.Text.RegularExpressions;

namespace MLPipeline.Shared.Store;

/// <summary>Model names, versions and aliases become path segments and blob names: keep them safe.</summary>
public static partial class StoreNames
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex SafeSegment();

    public static bool IsValid(string? value) => value is not null && SafeSegment().IsMatch(value) && !value.Contains("..", StringComparison.Ordinal);

    public static string Check(string value, string what) =>
        IsValid(value)
            ? value
            : throw new ArgumentException($"Invalid {what} '{value}': use up to 100 letters, digits, '.', '_' or '-', starting with a letter or digit.", what);

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
