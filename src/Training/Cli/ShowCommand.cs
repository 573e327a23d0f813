using System.CommandLine;
using System.Globalization;
using System.Text;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;
using MLPipeline.Training.Onnx;
using Spectre.Console;

namespace MLPipeline.Training.Cli;

/// <summary><c>show &lt;name&gt;[@alias|:version]</c>: one version's manifest, as a summary or as the manifest JSON.</summary>
public static class ShowCommand
{
    public static Command Create()
    {
        var reference = new Argument<string>("model") { Description = "name (newest version), name:version or name@alias." };
        var store = StoreOptions.Store();
        var json = CommandOutput.JsonOption();
        var command = new Command("show", "Show a model version: metrics, inputs, artifacts and the aliases that point at it (--json: its manifest).")
        {
            reference, store, json,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(
            () => RunAsync(new CommandOutput(parse), parse.GetValue(reference)!, parse.GetValue(store), parse.GetValue(json), cancellationToken),
            parse.InvocationConfiguration.Error));
        return command;
    }

    private static async Task<int> RunAsync(CommandOutput output, string reference, string? storeLocation, bool json, CancellationToken cancellationToken)
    {
        var parsed = ModelReference.Parse(reference);
        var store = ModelStoreFactory.Open(storeLocation);
        var manifest = await store.ResolveAsync(parsed, cancellationToken);
        if (json)
        {
            output.Writer.WriteLine(Encoding.UTF8.GetString(ManifestJson.Serialize(manifest)));
            return ExitCodes.Ok;
        }

        var aliases = (await store.ListAliasesAsync(manifest.Name, cancellationToken)).Where(a => a.Version == manifest.Version).ToList();
        var console = output.Console;
        var facts = new Grid().AddColumns(2)
            .AddRow("Model", Markup.Escape($"{manifest.Name}:{manifest.Version}"))
            .AddRow("Store", Markup.Escape(store.Location))
            .AddRow("Task", manifest.Task.ToString())
            .AddRow("Created (UTC)", manifest.CreatedUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))
            .AddRow("Trainer", Markup.Escape(manifest.Trainer.Name + (manifest.Trainer.MaxRows is { } maxRows ? $" (fit on a sample of about {maxRows:N0} rows)" : "")))
            .AddRow("Label", Markup.Escape(manifest.Label.Column + (manifest.Label.Classes is { } classes ? $" ({string.Join(", ", classes)})" : "")))
            .AddRow("Aliases", Markup.Escape(aliases.Count == 0 ? "-" : string.Join(", ", aliases.Select(a => $"{a.Alias} (moved by {a.MovedBy} at {a.MovedUtc.UtcDateTime:yyyy-MM-dd HH:mm:ss})"))))
            .AddRow("ONNX", Markup.Escape(manifest.Graph is { } g
                ? $"imported (format onnx): {$"{g.Producer.Name} {g.Producer.Version}".Trim()}, IR {g.IrVersion}, opsets {string.Join(", ", g.Opsets.Select(o => $"{o.Key} {o.Value}"))}"
                : OnnxSummary.Describe(manifest.Onnx)));
        console.Write(facts);
        if (manifest.Graph is { } graph)
        {
            // An imported model has no metrics or ML.NET columns: its graph's tensors are what a client sends and gets.
            var tensors = new Table().Title("Graph").AddColumns("", "Name", "Type");
            foreach (var input in graph.Inputs)
            {
                tensors.AddRow("input", Markup.Escape(input.Name), Markup.Escape(OnnxImport.OnnxModelImport.Describe(input)));
            }

            foreach (var tensor in graph.Outputs)
            {
                tensors.AddRow("output", Markup.Escape(tensor.Name), Markup.Escape(OnnxImport.OnnxModelImport.Describe(tensor)));
            }

            console.Write(tensors);
            WriteArtifacts(console, manifest);
            return ExitCodes.Ok;
        }

        var metrics = new Table().Title("Test metrics").AddColumns("Metric", "Value");
        foreach (var (name, value) in manifest.Metrics.Test)
        {
            metrics.AddRow(Markup.Escape(name == manifest.MainMetric ? $"{name} (main)" : name), value.ToString("F4", CultureInfo.InvariantCulture));
        }

        console.Write(metrics);
        var inputs = new Table().Title("Inputs").AddColumns("Column", "Type", "Role");
        foreach (var input in manifest.Inputs)
        {
            inputs.AddRow(Markup.Escape(input.Name), input.Type, input.Role.ToString());
        }

        console.Write(inputs);
        WriteArtifacts(console, manifest);
        return ExitCodes.Ok;
    }

    private static void WriteArtifacts(IAnsiConsole console, ModelManifest manifest)
    {
        var artifacts = new Table().Title("Artifacts").AddColumns("File", "Bytes", "SHA-256");
        foreach (var (file, info) in manifest.Artifacts)
        {
            artifacts.AddRow(Markup.Escape(file), info.Size.ToString(CultureInfo.InvariantCulture), info.Sha256);
        }

        console.Write(artifacts);
    }
}
