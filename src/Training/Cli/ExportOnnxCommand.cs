using System.CommandLine;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;
using MLPipeline.Training.Onnx;
using Spectre.Console;

namespace MLPipeline.Training.Cli;

/// <summary>
/// <c>export-onnx &lt;model.zip | name[:version|@alias]&gt; [--exporter auto|own|official]</c>: converts an existing
/// model to ONNX and checks parity with ML.NET before writing the file. Published versions are immutable, so the file goes to --output.
/// </summary>
public static class ExportOnnxCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "A model.zip (with its manifest.json beside it) or a store reference: name, name:version or name@alias." };
        var store = StoreOptions.Store();
        var output = new Option<string?>("--output") { Description = "Where to write the ONNX file (default: model.onnx beside the zip, or ./<name>-<version>.onnx)." };
        var data = new Option<string?>("--data") { Description = "CSV with a header whose rows are scored for the parity check (default: the manifest's sample row)." };
        var exporter = new Option<string>("--exporter")
        {
            Description = "own: our exporter; official: Microsoft.ML.OnnxConverter, rewritten to our graph contract; auto: ours, else the official one (default).",
            DefaultValueFactory = _ => "auto",
        };
        exporter.AcceptOnlyFromAmong("auto", "own", "official");
        var command = new Command("export-onnx", "Convert a trained model to ONNX, proving ONNX Runtime scores it as ML.NET does.")
        {
            model, store, output, data, exporter,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(() => RunAsync(
            parse.GetValue(model)!, parse.GetValue(store), parse.GetValue(output), parse.GetValue(data), Enum.Parse<OnnxExporterChoice>(parse.GetValue(exporter)!, ignoreCase: true), cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(string reference, string? storeLocation, string? output, string? data, OnnxExporterChoice exporter, CancellationToken cancellationToken)
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
        var result = ExistingModelExport.Run(stream, manifest, data, exporter);
        var target = output ?? defaultOutput;
        await File.WriteAllBytesAsync(target, result.Onnx, cancellationToken);

        var info = result.Info;
        AnsiConsole.MarkupLine($"Exported {Markup.Escape($"{manifest.Name}:{manifest.Version}")} to {Markup.Escape(target)}.");
        AnsiConsole.MarkupLine(Markup.Escape(OnnxSummary.Describe(info) + "; labels identical."));
        AnsiConsole.MarkupLine($"SHA-256 {ArtifactHash.Describe(target).Sha256}");
        return ExitCodes.Ok;
    }
}
