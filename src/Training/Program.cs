using System.CommandLine;
using MLPipeline.Training.Cli;
using Spectre.Console;

// Redirected output (CI logs, pipes) has no terminal width: keep tables and lines from wrapping at 80.
if (!Terminal.IsInteractive)
{
    AnsiConsole.Profile.Width = 200;
}

var root = new RootCommand("MLPipeline training console: train, evaluate, gate and publish ML.NET models.")
{
    TrainCommand.Create(),
    WorkerCommand.Create(),
    GenerateCommand.Create(),
    ExportOnnxCommand.Create(),
    ImportOnnxCommand.Create(),
    PublishCommand.Create(),
    ListCommand.Create(),
    ShowCommand.Create(),
    PromoteCommand.Create(),
    RollbackCommand.Create(),
    DownloadCommand.Create(),
    MonitorCommand.Create(),
    LogsExportCommand.Create(),
    RolloutCommand.Create(),
};

// No response files: '@staging' is an alias reference (rollout start --candidate @staging), not a file to expand.
return await root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null }).InvokeAsync();
