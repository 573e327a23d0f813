namespace MLPipeline.TestSupport;

/// <summary>
/// A temp folder for what a whole test run shares (trained models, empty stores), deleted when the test process exits:
/// xunit has no fixture that spans every test class of an assembly.
/// </summary>
public static class RunTempFolder
{
    private static readonly Lazy<TempFolder> Folder = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Path => Folder.Value.Path;

    /// <summary>A new, empty folder inside it.</summary>
    public static string NewFolder(string prefix) =>
        Directory.CreateDirectory(System.IO.Path.Combine(Path, prefix + Guid.NewGuid().ToString("N"))).FullName;

    private static TempFolder Create()
    {
        var folder = new TempFolder("mlpipeline-test-run-");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                folder.Dispose();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A served file still open by an app that is shutting down: the folder is under the temp folder anyway.
            }
        };
        return folder;
    }
}
