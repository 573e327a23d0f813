namespace MLPipeline.Training.Cli;

/// <summary>Live progress only where a person watches: not in CI logs or redirected output.</summary>
public static class Terminal
{
    public static bool IsInteractive =>
        !Console.IsOutputRedirected && !Console.IsErrorRedirected
        && Environment.GetEnvironmentVariable("CI") is null && Environment.GetEnvironmentVariable("TF_BUILD") is null;
}
