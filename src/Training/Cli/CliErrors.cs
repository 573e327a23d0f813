using MLPipeline.Shared.Rollout;
using MLPipeline.Shared.Store;
using MLPipeline.Training.Data;
using MLPipeline.Training.Gates;
using MLPipeline.Training.Onnx;
using MLPipeline.Training.OnnxImport;
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
        catch (OnnxExportException ex)
        {
            return Fail(ExitCodes.OnnxExportFailed, "onnx export failed", ex.Message + Environment.NewLine + "No ONNX file was written and nothing was published.", error);
        }
        catch (RolloutStateException ex)
        {
            return Fail(ExitCodes.BadUsageOrSpec, "rollout error", ex.Message, error);
        }
        catch (OnnxImportException ex)
        {
            return Fail(ExitCodes.OnnxExportFailed, "onnx import refused", ex.Message + Environment.NewLine + "Nothing was published.", error);
        }
        catch (ArgumentException ex)
        {
            return Fail(ExitCodes.BadUsageOrSpec, "usage error", ex.Message, error);
        }
    }

    private static int Fail(int code, string kind, string message, TextWriter? error)
    {
        // Unwrapped plain text where no person watches (or a caller captures it): CI logs are searched by line.
        error ??= Console.Error;
        if (ReferenceEquals(error, Console.Error) && Terminal.IsInteractive)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            console.MarkupLine($"[red]{kind}:[/] {Markup.Escape(message)}");
        }
        else
        {
            error.WriteLine($"{kind}: {message}");
        }

        return code;
    }
}
