using System.Text.Json;

namespace MLPipeline.Training.Tests.StoreCommands;

/// <summary>What a console run produced: the exit code and both output streams.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public JsonElement Json => JsonDocument.Parse(Output).RootElement.Clone();

    public override string ToString() => $"exit {ExitCode}{Environment.NewLine}stdout:{Environment.NewLine}{Output}{Environment.NewLine}stderr:{Environment.NewLine}{Error}";
}
