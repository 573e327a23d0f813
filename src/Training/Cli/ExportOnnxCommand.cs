using System.CommandLine;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;
using MLPipeline.Training.Onnx;
using Spectre.Console;

namespace MLPipeline.Training.Cli;

/// <summary>
/// <c>export-onnx &lt;model.zip | name[:version|@alias]&gt;</c>: converts an existing model to ONNX and checks parity
/// with ML.NET before writing the file. Published versions are immutable, so the file goes to --output.
/// </summary>
public static class ExportOnnxCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "A model.zip (with its manifest.json beside it) or a store reference: name, name:version or name@alias." };
        var store = StoreOptions.Store();
        var output = new Option<string?>("--output") { Description = "Where to write the ONNX file (default: model.onnx beside the zip, or ./<name>-<version>.onnx)." };
        var data = new Option<string?>("--data") { Description = "CSV with a header whose rows are scored for the parity check (default: the manifest's sample row)." };
        var command = new Command("export-onnx", "Convert a trained model to ONNX, proving ONNX Runtime scores it as ML.NET does.")
        {
            model, store, output, data,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(() => RunAsync(
            parse.GetValue(model)!, parse.GetValue(store), parse.GetValue(output), parse.GetValue(data), cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(string reference, string? storeLocation, string? output, string? data, CancellationToken cancellationToken)
    {
        ModelManifest manifest;
        byte[] zip;
        string defaultOutput;
        if (File.Exists(reference) || Directory.Exists(reference))
        {
            var zipPath = Directory.Exists(reference) ? Path.Combine(reference, ModelManifest.ModelFileName) : reference;
            var manifestPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(zipPath))!, ModelManifest.FileName);
            if (!File.Exists(zipPath) || !File.Exists(manifestPath))
            {
                throw new ArgumentException($"{zipPath}: export-onnx needs the model.zip and the manifest.json of its version folder beside it ({manifestPath} not found).");
            }

            manifest = ManifestReader.ReadLocal(await File.ReadAllBytesAsync(manifestPath, cancellationToken), manifestPath);
            zip = await File.ReadAllBytesAsync(zipPath, cancellationToken);
            defaultOutput = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(zipPath))!, ModelManifest.OnnxFileName);
        }
        else
        {
            var store = ModelStoreFactory.Open(storeLocation);
            manifest = await store.ResolveAsync(ModelReference.Parse(reference), cancellationToken);
            zip = await store.ReadArtifactAsync(manifest, ModelManifest.ModelFileName, cancellationToken);
            defaultOutput = Path.GetFullPath($"{manifest.Name}-{manifest.Version}.onnx");
        }

        using var stream = new MemoryStream(zip);
        var result = ExistingModelExport.Run(stream, manifest, data);
        var target = output ?? defaultOutput;
        await File.WriteAllBytesAsync(target, result.Onnx, cancellationToken);

        var info = result.Info;
        AnsiConsole.MarkupLine($"Exported {Markup.Escape($"{manifest.Name}:{manifest.Version}")} to {Markup.Escape(target)} (IR {info.IrVersion}, opset 17, ai.onnx.ml 3).");
        AnsiConsole.MarkupLine($"Parity with ML.NET on {info.ParityRows} rows: max |diff| {info.MaxAbsoluteDifference:G3}, max relative {info.MaxRelativeDifference:G3}; labels identical.");
        AnsiConsole.MarkupLine($"SHA-256 {ArtifactHash.Describe(target).Sha256}");
        return ExitCodes.Ok;
    }
}
