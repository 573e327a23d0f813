using System.CommandLine;
using MLPipeline.Training.Cli;

namespace MLPipeline.Training.Tests.StoreCommands;

/// <summary>Runs the console's commands: in-process with captured writers, or as the real mlpipeline process.</summary>
public static class StoreCli
{
    /// <summary>Parses and invokes like Program.cs does, with stdout and stderr captured per call (safe in parallel tests).</summary>
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        var root = new RootCommand
        {
            TrainCommand.Create(),
            PublishCommand.Create(),
            ListCommand.Create(),
            ShowCommand.Create(),
            PromoteCommand.Create(),
            RollbackCommand.Create(),
            DownloadCommand.Create(),
            RolloutCommand.Create(),
        };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null }).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Runs the built mlpipeline program as a child process (<see cref="CliRunner"/>), with extra environment variables.</summary>
    public static async Task<CliResult> RunProcessAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var result = await CliRunner.RunAsync(environment, args);
        return new CliResult(result.ExitCode, result.StdOut, result.StdErr);
    }
}
