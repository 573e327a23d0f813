using System.Diagnostics;
using System.Globalization;

namespace MLPipeline.Training.Cli;

/// <summary>The process's peak resident memory as the OS counts it (VmHWM on Linux), native allocations included.</summary>
public static class PeakMemory
{
    public static double Megabytes()
    {
        const string statusFile = "/proc/self/status";
        if (File.Exists(statusFile))
        {
            var line = File.ReadLines(statusFile).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is not null && long.TryParse(line[6..].Trim().Split(' ')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kilobytes))
            {
                return kilobytes / 1024.0;
            }
        }

        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64 / (1024.0 * 1024.0);
    }
}
