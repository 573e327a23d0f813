using System.CommandLine;
using MLPipeline.Shared.Store;

namespace MLPipeline.Training.Cli;

/// <summary><c>promote &lt;name&gt; &lt;version&gt; --alias &lt;alias&gt;</c>: points an alias at a version.</summary>
public static class PromoteCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The model name." };
        var version = new Argument<string>("version") { Description = "The version the alias should point at." };
        var alias = AliasOption("The alias to move, e.g. production or staging.");
        var store = StoreOptions.Store();
        var json = CommandOutput.JsonOption();
        var command = new Command("promote", "Point an alias at a version. The move only lands if nobody moved the alias in between (exit 4 otherwise); the previous version is kept for rollback.")
        {
            name, version, alias, store, json,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(
            async () =>
            {
                var target = ModelStoreFactory.Open(parse.GetValue(store));
                var moved = await target.PromoteAsync(
                    StoreNames.Check(parse.GetValue(name)!, "model name"), StoreNames.Check(parse.GetValue(version)!, "version"), StoreNames.Check(parse.GetValue(alias)!, "alias"), cancellationToken);
                AliasMoveOutput.Write(new CommandOutput(parse), moved, target.Location, parse.GetValue(json));
                return ExitCodes.Ok;
            },
            parse.InvocationConfiguration.Error));
        return command;
    }

    internal static Option<string> AliasOption(string description) => new("--alias") { Description = description, Required = true };
}
