namespace MLPipeline.TestSupport;

/// <summary>
/// The repository's .NET tools (.config/dotnet-tools.json, e.g. NSwag): restored with <c>dotnet tool restore</c> on
/// first use, then run as <c>dotnet &lt;tool&gt; ...</c> from the repository root.
/// </summary>
public static class DotnetTools
{
    private static readonly SemaphoreSlim RestoreGate = new(1, 1);
    private static bool _restored;

    public static async Task<ExternalTool.Result> RunAsync(string tool, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        await RestoreAsync();
        return await ExternalTool.RunAsync("dotnet", [tool, .. arguments], RepositoryRoot.Path, timeout);
    }

    private static async Task RestoreAsync()
    {
        await RestoreGate.WaitAsync();
        try
        {
            if (_restored)
            {
                return;
            }

            var result = await ExternalTool.RunAsync("dotnet", ["tool", "restore"], RepositoryRoot.Path, TimeSpan.FromMinutes(5));
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"'dotnet tool restore' in {RepositoryRoot.Path} failed: {result}");
            }

            _restored = true;
        }
        finally
        {
            RestoreGate.Release();
        }
    }
}
