using MLPipeline.Shared.Store;
using Spectre.Console;

namespace MLPipeline.Training.Cli;

/// <summary>How promote and rollback report an alias move.</summary>
public static class AliasMoveOutput
{
    public static void Write(CommandOutput output, AliasRecord moved, string location, bool json)
    {
        if (json)
        {
            output.Json(moved, StoreCommandJson.Default.AliasRecord);
            return;
        }

        output.Console.MarkupLine(
            $"Alias [bold]{Markup.Escape($"{moved.Model}@{moved.Alias}")}[/] -> {Markup.Escape(moved.Version)}"
            + Markup.Escape(moved.PreviousVersion is null ? " (new alias)" : $" (was {moved.PreviousVersion})")
            + $" in {Markup.Escape(location)}");
    }
}
