using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;

namespace MLPipeline.Training.Cli;

/// <summary>
/// Where a command writes its result: the invocation's output writer (the console, or a test's writer), as
/// Spectre tables for people or as one JSON document for pipelines.
/// </summary>
public sealed class CommandOutput
{
    /// <summary>Redirected output (CI logs, files) is not wrapped at 80 columns.</summary>
    private const int RedirectedWidth = 200;

    public CommandOutput(ParseResult parse)
    {
        Writer = parse.InvocationConfiguration.Output;
        Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Writer) });
        if (!Console.Profile.Out.IsTerminal)
        {
            Console.Profile.Width = RedirectedWidth;
        }
    }

    public TextWriter Writer { get; }

    public IAnsiConsole Console { get; }

    /// <summary>The shared <c>--json</c> flag.</summary>
    public static Option<bool> JsonOption() => new("--json") { Description = "Write the result as JSON (for pipelines) instead of a table." };

    public void Json<T>(T value, JsonTypeInfo<T> type) => Writer.WriteLine(JsonSerializer.Serialize(value, type));
}
