using MLPipeline.Shared.Store;
using MLPipeline.Training.Data;
using MLPipeline.Training.Gates;
using MLPipeline.Training.Onnx;
using MLPipeline.Training.Specs;
using Spectre.Console;

namespace MLPipeline.Training.Cli;

/// <summary>Maps the console's failures to their documented exit codes, with one clear message on stderr.</summary>
public static class CliErrors
{
    public static async Task<int> RunAsync(Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (SpecException ex)
        {
            return Fail(ExitCodes.BadUsageOrSpec, "spec error", ex.Message);
        }
        catch (DataException ex)
        {
            return Fail(ExitCodes.BadData, "data error", ex.Message);
        }
        catch (GateFailedException ex)
        {
            return Fail(ExitCodes.GateFailed, "gate failed", ex.Message + Environment.NewLine + "Nothing was published.");
        }
        catch (ModelStoreException ex)
        {
            return Fail(ExitCodes.StoreError, "store error", ex.Message);
        }
        catch (OnnxExportException ex)
        {
            return Fail(ExitCodes.OnnxExportFailed, "onnx export failed", ex.Message + Environment.NewLine + "No ONNX file was written and nothing was published.");
        }
        catch (ArgumentException ex)
        {
            return Fail(ExitCodes.BadUsageOrSpec, "usage error", ex.Message);
        }
    }

    private static int Fail(int code, string kind, string message)
    {
        // Unwrapped plain text where no person watches: CI logs are searched by line.
        if (Terminal.IsInteractive)
        {
            var error = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            error.MarkupLine($"[red]{kind}:[/] {Markup.Escape(message)}");
        }
        else
        {
            Console.Error.WriteLine($"{kind}: {message}");
        }

        return code;
    }
}
