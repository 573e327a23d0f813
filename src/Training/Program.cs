using System.CommandLine;
using MLPipeline.Training.Cli;

var root = new RootCommand("MLPipeline training console: train, evaluate, gate and publish ML.NET models.")
{
    TrainCommand.Create(),
    PublishCommand.Create(),
    ListCommand.Create(),
    ShowCommand.Create(),
    PromoteCommand.Create(),
    RollbackCommand.Create(),
    DownloadCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
