using MLPipeline.Shared.Store;
using MLPipeline.Training.Data;
using MLPipeline.Training.Gates;
using MLPipeline.Training.Specs;
using Spectre.Console;

namespace MLPipeline.Training.Cli;

/// <summary>Maps the console's failures to their documented exit codes, with one clear message on stderr.</summary>
public static class CliErrors
{
    /// <param name="error">Where the message goes (default: standard error).</param>
    public static async Task<int> RunAsync(Func<Task<int>> command, TextWriter? error = null)
    {
        try
        {
            return await command();
        }
        catch (SpecException ex)
        {
            return Fail(ExitCodes.BadUsageOrSpec, "spec error", ex.Message, error);
        }
        catch (DataException ex)
        {
            return Fail(ExitCodes.BadData, "data error", ex.Message, error);
        }
        catch (GateFailedException ex)
        {
            return Fail(ExitCodes.GateFailed, "gate failed", ex.Message + Environment.NewLine + "Nothing was published.", error);
        }
        catch (ModelStoreException ex)
        {
            return Fail(ExitCodes.StoreError, "store error", ex.Message, error);
        }
        catch (ArgumentException ex)
        {
            return Fail(ExitCodes.BadUsageOrSpec, "usage error", ex.Message, error);
        }
    }

    private static int Fail(int code, string kind, string message, TextWriter? error)
    {
        // Unwrapped when redirected, so a message (and the URI in it) stays on one line in logs.
        var console = CommandOutput.PlainWhenRedirected(AnsiConsole.Create, error ?? Console.Error, int.MaxValue / 2);
        console.MarkupLine($"[red]{kind}:[/] {Markup.Escape(message)}");
        return code;
    }
}
