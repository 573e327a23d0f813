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
        Error = parse.InvocationConfiguration.Error;
        Console = PlainWhenRedirected(Writer);
    }

    public TextWriter Writer { get; }

    /// <summary>Where warnings go: never mixed into a <c>--json</c> result.</summary>
    public TextWriter Error { get; }

    public IAnsiConsole Console { get; }

    /// <summary>The shared <c>--json</c> flag.</summary>
    public static Option<bool> JsonOption() => new("--json") { Description = "Write the result as JSON (for pipelines) instead of a table." };

    /// <summary>
    /// A Spectre console on <paramref name="writer"/>: styled on a terminal; without escape codes and with a fixed
    /// width when redirected (files, CI logs, tests), so the text stays greppable.
    /// </summary>
    private static IAnsiConsole PlainWhenRedirected(TextWriter writer)
    {
        var output = new AnsiConsoleOutput(writer);
        if (output.IsTerminal)
        {
            return AnsiConsole.Create(new AnsiConsoleSettings { Out = output });
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = output, Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No });
        console.Profile.Width = RedirectedWidth;
        return console;
    }

    public void Json<T>(T value, JsonTypeInfo<T> type) => Writer.WriteLine(JsonSerializer.Serialize(value, type));
}
