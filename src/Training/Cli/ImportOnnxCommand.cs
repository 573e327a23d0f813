using System.CommandLine;
using MLPipeline.Shared.Store;
using MLPipeline.Training.OnnxImport;
using Spectre.Console;

namespace MLPipeline.Training.Cli;

/// <summary>
/// <c>import-onnx &lt;model.onnx&gt; --name &lt;name&gt;</c>: publishes an ONNX model from another framework as an immutable
/// version (format onnx), after checking that ONNX Runtime loads it and runs its sample; exit code 5 when it does not.
/// </summary>
public static class ImportOnnxCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("model.onnx") { Description = "An ONNX file exported by PyTorch, TensorFlow (tf2onnx), scikit-learn (skl2onnx), ..." };
        var name = new Option<string>("--name") { Description = "The model's name in the store.", Required = true };
        var labels = new Option<string?>("--labels") { Description = "A JSON array of class names in the order of the model's probability output (or ZipMap keys 0..K-1)." };
        var sample = new Option<string?>("--sample") { Description = "A JSON sample input, {\"inputs\": {name: nested arrays}} or {name: nested arrays}; default: zeros in the inputs' shapes." };
        var store = StoreOptions.Store();
        var alias = new Option<string?>("--alias") { Description = "After publishing, point this alias (e.g. production) at the new version." };
        var version = new Option<string?>("--version") { Description = "Version name to publish under (default: UTC time and file hash)." };
        var command = new Command("import-onnx", "Check an ONNX model from any framework with ONNX Runtime and publish it as a new version.")
        {
            file, name, labels, sample, store, alias, version,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(
            () => RunAsync(parse.GetValue(file)!, parse.GetValue(name)!, parse.GetValue(labels), parse.GetValue(sample), parse.GetValue(store), parse.GetValue(alias), parse.GetValue(version), cancellationToken),
            parse.InvocationConfiguration.Error));
        return command;
    }

    private static async Task<int> RunAsync(string file, string name, string? labels, string? sample, string? storeLocation, string? alias, string? version, CancellationToken cancellationToken)
    {
        StoreNames.Check(name, "name");
        if (version is not null)
        {
            StoreNames.Check(version, "version");
        }

        if (alias is not null)
        {
            StoreNames.Check(alias, "alias");
        }

        var store = ModelStoreFactory.Open(storeLocation);
        var (directory, prepared) = OnnxModelImport.Prepare(file, name, labels, sample, version);
        try
        {
            var manifest = await store.PublishAsync(directory, cancellationToken);
            var moved = alias is null ? null : await store.PromoteAsync(manifest.Name, manifest.Version, alias, cancellationToken);
            var graph = prepared.Graph!;
            AnsiConsole.MarkupLine($"Published [bold]{Markup.Escape($"{manifest.Name}:{manifest.Version}")}[/] (onnx, {Markup.Escape(manifest.Trainer.Name)}) to {Markup.Escape(store.Location)}"
                + (moved is null ? "" : $"; {Markup.Escape($"{manifest.Name}@{moved.Alias}")} -> {Markup.Escape(moved.Version)}"));
            foreach (var input in graph.Inputs)
            {
                AnsiConsole.MarkupLine($"  input  {Markup.Escape(input.Name)} {Markup.Escape(OnnxModelImport.Describe(input))}");
            }

            foreach (var output in graph.Outputs)
            {
                AnsiConsole.MarkupLine($"  output {Markup.Escape(output.Name)} {Markup.Escape(OnnxModelImport.Describe(output))}");
            }

            AnsiConsole.MarkupLine($"  opsets {Markup.Escape(string.Join(", ", graph.Opsets.Select(o => $"{o.Key} {o.Value}")))}; SHA-256 {manifest.Artifacts[Shared.Manifest.ModelManifest.OnnxFileName].Sha256}");
            return ExitCodes.Ok;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
