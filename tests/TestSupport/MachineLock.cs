namespace MLPipeline.TestSupport;

/// <summary>
/// A lock shared by every process on the machine (test projects run in parallel processes): a file opened without
/// sharing, held until disposed, waited for until a deadline while another process holds it.
/// </summary>
public static class MachineLock
{
    public static Task<FileStream> AcquireAsync(string path, TimeSpan deadline) =>
        Eventually.SomeAsync(() => TryOpen(path), deadline, () => $"{path} is still held by another process");

    private static FileStream? TryOpen(string path)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
