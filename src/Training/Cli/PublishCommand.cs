using System.CommandLine;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;
using Spectre.Console;

namespace MLPipeline.Training.Cli;

/// <summary><c>publish &lt;local-version-dir&gt;</c>: uploads a verified local version folder to the store.</summary>
public static class PublishCommand
{
    public static Command Create()
    {
        var directory = new Argument<string>("local-version-dir") { Description = "A folder holding model.zip (model.onnx) and manifest.json, e.g. one made by download." };
        var store = StoreOptions.Store();
        var json = CommandOutput.JsonOption();
        var command = new Command("publish", "Publish a local model version folder to the store (immutable: a version is published once).")
        {
            directory, store, json,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(
            () => RunAsync(new CommandOutput(parse), parse.GetValue(directory)!, parse.GetValue(store), parse.GetValue(json), cancellationToken),
            parse.InvocationConfiguration.Error));
        return command;
    }

    private static async Task<int> RunAsync(CommandOutput output, string directory, string? storeLocation, bool json, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            throw new ArgumentException($"Version folder '{directory}' does not exist.");
        }

        var store = ModelStoreFactory.Open(storeLocation);
        var manifest = await store.PublishAsync(directory, cancellationToken);

        if (json)
        {
            output.Json(new VersionTransfer(manifest.Name, manifest.Version, store.Location, null, [.. manifest.Artifacts.Keys, ModelManifest.FileName]), StoreCommandJson.Default.VersionTransfer);
        }
        else
        {
            output.Console.MarkupLine($"Published [bold]{Markup.Escape($"{manifest.Name}:{manifest.Version}")}[/] to {Markup.Escape(store.Location)}");
        }

        return ExitCodes.Ok;
    }
}
