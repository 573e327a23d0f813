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
            : throw new ArgumentException($"Invalid {what} '{value}': use letters, digits, '.', '_' or '-', starting with a letter or digit.", what);

    public static string VersionPath(string name, string version) => $"{name}/versions/{version}";

    public static string AliasPath(string name, string alias) => $"{name}/aliases/{alias}.json";
}
