using System.Text.Json.Nodes;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;

namespace MLPipeline.TestSupport;

/// <summary>
/// Hostile version folders and manifests, as an attacker would craft them: an artifact whose name climbs out of its
/// folder, with its bytes really present where that name resolves, so that only validation stops the escape.
/// </summary>
public static class CraftedPackage
{
    /// <summary>
    /// A valid house:v1 package at <c>&lt;Outer&gt;/a/b/pkg</c> (so "../../x" still lands inside <c>Outer</c>) whose
    /// manifest also lists <paramref name="artifactName"/> with correct size and SHA-256.
    /// </summary>
    public static (string Outer, string Package) WithArtifact(string artifactName, string name = "house", string version = "v1")
    {
        var outer = Directory.CreateTempSubdirectory("crafted-").FullName;
        var package = Path.Combine(outer, "a", "b", "pkg");
        Directory.CreateDirectory(Path.GetDirectoryName(package)!);
        var created = TestModelPackage.Create(name, version);
        CopyFolder(created, package);
        Directory.Delete(created, recursive: true);

        byte[] payload = [0x62, 0x61, 0x64];
        var manifestPath = Path.Combine(package, ModelManifest.FileName);
        var target = Path.GetFullPath(Path.Combine(package, artifactName));
        // ".." resolves to a folder and "manifest.json" to the manifest itself: those have no payload to plant.
        if (!Directory.Exists(target) && target != manifestPath)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllBytes(target, payload);
        }

        File.WriteAllBytes(manifestPath, Mutate(File.ReadAllBytes(manifestPath), m =>
            m["artifacts"]![artifactName] = new JsonObject { ["sha256"] = ArtifactHash.Of(payload), ["size"] = payload.Length }));
        return (outer, package);
    }

    /// <summary>A manifest's JSON with one change applied to its root object.</summary>
    public static byte[] Mutate(byte[] manifestJson, Action<JsonObject> change)
    {
        var root = JsonNode.Parse(manifestJson)!.AsObject();
        change(root);
        return System.Text.Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    /// <summary>Every file under a folder, relative to it, with '/' separators (to prove nothing was written).</summary>
    public static IReadOnlyList<string> FilesUnder(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(directory, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
