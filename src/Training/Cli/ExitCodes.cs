namespace MLPipeline.Training.Cli;

/// <summary>The console's documented exit codes (README, "Exit codes").</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int BadUsageOrSpec = 1;
    public const int BadData = 2;
    public const int GateFailed = 3;
    public const int StoreError = 4;

    /// <summary>ONNX export refused (spec asked for ONNX explicitly), ONNX parity with ML.NET failed, or an imported ONNX file failed its checks.</summary>
    public const int OnnxExportFailed = 5;

    /// <summary><c>rollout wait</c>: the rollout ended rolled back (the candidate failed a criterion, or was aborted).</summary>
    public const int RolledBack = 6;

    /// <summary><c>rollout wait</c>: the rollout was still running (or paused) when the timeout passed.</summary>
    public const int StillRunning = 7;

    /// <summary>Every trial of the search failed, or the workers of a distributed search could not finish it.</summary>
    public const int SearchFailed = 8;

    /// <summary><c>monitor</c>: a column or the score drifted, or live quality fell, beyond the thresholds.</summary>
    public const int MonitoringAlert = 9;
}
