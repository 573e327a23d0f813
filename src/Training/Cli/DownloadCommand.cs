using System.CommandLine;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;
using Spectre.Console;

namespace MLPipeline.Training.Cli;

/// <summary><c>download &lt;ref&gt; --output &lt;dir&gt;</c>: fetches a version's verified artifacts and manifest.</summary>
public static class DownloadCommand
{
    public static Command Create()
    {
        var reference = new Argument<string>("model") { Description = "name (newest version), name:version or name@alias." };
        var outputDir = new Option<string>("--output", "-o") { Description = "Folder to write into: new or empty.", Required = true };
        var store = StoreOptions.Store();
        var json = CommandOutput.JsonOption();
        var command = new Command("download", "Download a model version (every artifact checked against its SHA-256) and its manifest into a folder.")
        {
            reference, outputDir, store, json,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(
            () => RunAsync(new CommandOutput(parse), parse.GetValue(reference)!, parse.GetValue(outputDir)!, parse.GetValue(store), parse.GetValue(json), cancellationToken),
            parse.InvocationConfiguration.Error));
        return command;
    }

    private static async Task<int> RunAsync(CommandOutput output, string reference, string directory, string? storeLocation, bool json, CancellationToken cancellationToken)
    {
        var parsed = ModelReference.Parse(reference);
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new ArgumentException($"Output folder '{directory}' is not empty; choose a new or empty folder.");
        }

        var store = ModelStoreFactory.Open(storeLocation);
        var manifest = await store.ResolveAsync(parsed, cancellationToken);
        try
        {
            await store.DownloadAsync(manifest, directory, cancellationToken);
        }
        catch (ModelStoreException)
        {
            // A refused artifact must not leave a half-written folder that looks like a model.
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            throw;
        }

        var files = manifest.Artifacts.Keys.Append(ModelManifest.FileName).ToList();
        if (json)
        {
            output.Json(new VersionTransfer(manifest.Name, manifest.Version, store.Location, Path.GetFullPath(directory), files), StoreCommandJson.Default.VersionTransfer);
        }
        else
        {
            output.Console.MarkupLine($"Downloaded [bold]{Markup.Escape($"{manifest.Name}:{manifest.Version}")}[/] ({Markup.Escape(string.Join(", ", files))}) to {Markup.Escape(Path.GetFullPath(directory))}");
        }

        return ExitCodes.Ok;
    }
}
