namespace MLPipeline.TestSupport;

/// <summary>
/// The Chromium the browser tests drive: Debian's <c>chromium</c> package, installed with apt-get on first use when
/// <c>/usr/bin/chromium</c> is missing (as root, or through password-less sudo), like <see cref="NodePackages"/> installs
/// the npm tools. <c>MLPIPELINE_CHROMIUM</c> names another Chromium-based browser. The tests fail and say what to
/// install when neither works; they never skip.
/// </summary>
public static class SystemChromium
{
    public const string DebianPath = "/usr/bin/chromium";
    public const string PathVariable = "MLPIPELINE_CHROMIUM";

    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    public static async Task<string> EnsureInstalledAsync()
    {
        if (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : throw new InvalidOperationException($"{PathVariable}={configured}: no such file.");
        }

        if (File.Exists(DebianPath))
        {
            return DebianPath;
        }

        await InstallGate.WaitAsync();
        try
        {
            // Test projects run in parallel processes: one apt-get at a time (apt's own lock would fail the second).
            await using var machineLock = await MachineLock.AcquireAsync(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mlpipeline-chromium-install.lock"), TimeSpan.FromMinutes(12));
            if (!File.Exists(DebianPath))
            {
                await InstallAsync();
            }

            return DebianPath;
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static async Task InstallAsync()
    {
        if (!File.Exists("/usr/bin/apt-get"))
        {
            throw new InvalidOperationException($"{DebianPath} is missing and this machine has no apt-get: install Chromium, or set {PathVariable} to a Chromium-based browser.");
        }

        var root = Environment.UserName == "root";
        if (!root && !File.Exists("/usr/bin/sudo"))
        {
            throw new InvalidOperationException($"{DebianPath} is missing and installing it needs root: run 'apt-get install -y chromium' as root, or set {PathVariable}.");
        }

        foreach (var arguments in new[] { new[] { "update" }, ["install", "-y", "--no-install-recommends", "chromium"] })
        {
            string[] command = ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", .. arguments];
            var result = root
                ? await ExternalTool.RunAsync(command[0], command[1..], System.IO.Path.GetTempPath(), TimeSpan.FromMinutes(10))
                : await ExternalTool.RunAsync("sudo", ["-n", .. command], System.IO.Path.GetTempPath(), TimeSpan.FromMinutes(10));
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"'apt-get {string.Join(' ', arguments)}' failed while installing Chromium for the browser tests: {result}");
            }
        }

        if (!File.Exists(DebianPath))
        {
            throw new InvalidOperationException($"apt-get installed the chromium package but {DebianPath} is still missing.");
        }
    }
}
