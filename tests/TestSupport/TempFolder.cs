namespace MLPipeline.TestSupport;

/// <summary>A fresh folder under the system temp folder, deleted with everything in it when the test is done.</summary>
public sealed class TempFolder(string prefix = "mlpipeline-tests-") : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Writes a file in the folder and returns its path.</summary>
    public string File(string name, string content)
    {
        var path = Combine(name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
