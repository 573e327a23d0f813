using MLPipeline.Shared.Manifest;

namespace MLPipeline.Shared.Store;

/// <summary>
/// Joins a folder and an artifact name and checks, on the resolved full path, that the result is a file directly in
/// that folder. Defence in depth behind <see cref="ArtifactName"/>: even a name that slipped past validation cannot
/// make a read or write land elsewhere.
/// </summary>
public static class ContainedPath
{
    /// <summary>The full path of <paramref name="fileName"/> in <paramref name="directory"/>, or null when it would resolve elsewhere.</summary>
    public static string? Resolve(string directory, string fileName)
    {
        if (string.IsNullOrEmpty(fileName))
        {
            return null;
        }

        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var full = Path.GetFullPath(Path.Combine(root, fileName));
        return string.Equals(Path.GetDirectoryName(full), root, StringComparison.Ordinal) && Path.GetFileName(full).Length > 0 ? full : null;
    }

    /// <exception cref="ArgumentException">The name would resolve outside the folder.</exception>
    public static string Combine(string directory, string fileName) =>
        Resolve(directory, fileName)
            ?? throw new ArgumentException($"Artifact {ArtifactName.Quote(fileName)} would resolve outside {directory}; {ArtifactName.Rule}.", nameof(fileName));
}
