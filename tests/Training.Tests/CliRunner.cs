using MLPipeline.TestSupport;

namespace MLPipeline.Training.Tests;

/// <summary>Runs the real console (mlpipeline.dll beside the tests) as a process, as a user or a pipeline would.</summary>
public static class CliRunner
{
    public static Task<ExternalTool.Result> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string?>(), args);

    /// <param name="environment">Variables to set (a null value removes the variable).</param>
    public static Task<ExternalTool.Result> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        // Wide, colourless output so assertions see whole lines.
        var variables = new Dictionary<string, string?> { ["COLUMNS"] = "250", ["NO_COLOR"] = "1" };
        foreach (var (name, value) in environment)
        {
            variables[name] = value;
        }

        return ExternalTool.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "mlpipeline.dll"), .. args], RepositoryRoot.Path, TimeSpan.FromMinutes(5), variables);
    }
}
