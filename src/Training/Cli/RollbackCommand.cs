using System.CommandLine;
using MLPipeline.Shared.Store;

namespace MLPipeline.Training.Cli;

/// <summary><c>rollback &lt;name&gt; --alias &lt;alias&gt;</c>: moves an alias back to the version it held before.</summary>
public static class RollbackCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The model name." };
        var alias = PromoteCommand.AliasOption("The alias to move back, e.g. production.");
        var store = StoreOptions.Store();
        var json = CommandOutput.JsonOption();
        var command = new Command("rollback", "Move an alias back to its previous version (conditional, like promote).")
        {
            name, alias, store, json,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(
            async () =>
            {
                var target = ModelStoreFactory.Open(parse.GetValue(store));
                var moved = await target.RollbackAsync(StoreNames.Check(parse.GetValue(name)!, "model name"), StoreNames.Check(parse.GetValue(alias)!, "alias"), cancellationToken);
                AliasMoveOutput.Write(new CommandOutput(parse), moved, target.Location, parse.GetValue(json));
                return ExitCodes.Ok;
            },
            parse.InvocationConfiguration.Error));
        return command;
    }
}
