using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MLPipeline.Shared.Manifest;

/// <summary>
/// The one rule for an artifact's name (a key of a manifest's <c>artifacts</c>): it becomes a file name in a
/// version folder, a download folder and a blob name under the version's prefix, so it must be a plain file name
/// that stays where it is put on every OS and backend. An allow-list, like model names and versions: letters,
/// digits, '.', '_' and '-', starting with a letter or digit.
/// </summary>
public static partial class ArtifactName
{
    public const int MaxLength = 128;

    /// <summary>What a valid name looks like, for messages.</summary>
    public const string Rule =
        "an artifact name must be a plain file name: letters, digits, '.', '_' or '-', starting with a letter or digit, "
        + "at most 128 characters (no '/', '\\', ':', '..' or control characters)";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex Plain();

    // Windows opens these as devices whatever the folder or extension (NUL.txt is the null device).
    private static readonly HashSet<string> DeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    public static bool IsValid(string? name) => Problem(name) is null;

    /// <summary>Why the name is not a valid artifact name, or null when it is.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "an artifact name must not be empty";
        }

        if (name.Length > MaxLength)
        {
            return $"{Rule}; this one has {name.Length} characters";
        }

        if (!Plain().IsMatch(name) || name.Contains("..", StringComparison.Ordinal) || name.EndsWith('.'))
        {
            return Rule;
        }

        if (string.Equals(name, ModelManifest.FileName, StringComparison.OrdinalIgnoreCase))
        {
            return $"'{ModelManifest.FileName}' is the manifest itself and cannot be an artifact";
        }

        return DeviceNames.Contains(name.Split('.')[0]) ? $"'{name}' is a reserved device name on Windows" : null;
    }

    /// <summary>The name quoted for a message: JSON-escaped (control characters stay visible) and shortened.</summary>
    public static string Quote(string? name)
    {
        if (name is null)
        {
            return "null";
        }

        var shown = name.Length > 80 ? name[..80] + "..." : name;
        return $"\"{JsonEncodedText.Encode(shown, JavaScriptEncoder.UnsafeRelaxedJsonEscaping)}\"";
    }
}
