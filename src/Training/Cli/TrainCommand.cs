using System.CommandLine;
using MLPipeline.Shared.Store;
using MLPipeline.Training.Runs;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Cli;

/// <summary><c>train &lt;spec&gt;</c>: train, evaluate, gate, package and publish one model.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var spec = new Argument<string>("spec") { Description = "The training spec, e.g. pipelines/house-prices.json." };
        var store = StoreOptions.Store();
        var alias = new Option<string?>("--alias") { Description = "After publishing, point this alias (e.g. staging) at the new version." };
        var version = new Option<string?>("--version") { Description = "Version name to publish under (default: UTC time and model hash)." };
        var command = new Command("train", "Train a model from a spec, evaluate it, enforce its gates and publish it to the store.")
        {
            spec, store, alias, version,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(() => RunAsync(
            parse.GetValue(spec)!, parse.GetValue(store), parse.GetValue(alias), parse.GetValue(version), cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(string specPath, string? storeLocation, string? alias, string? version, CancellationToken cancellationToken)
    {
        if (version is not null)
        {
            StoreNames.Check(version, "version");
        }

        if (alias is not null)
        {
            StoreNames.Check(alias, "alias");
        }

        var spec = SpecLoader.Load(specPath);
        var store = ModelStoreFactory.Open(storeLocation);
        var result = await SpectreProgress.RunAsync(Terminal.IsInteractive, progress => Task.FromResult(new TrainingRun(spec, progress).Execute(version)));
        try
        {
            var manifest = await store.PublishAsync(result.PackageDirectory, cancellationToken);
            var moved = alias is null ? null : await store.PromoteAsync(manifest.Name, manifest.Version, alias, cancellationToken);
            TrainingSummary.Print(result, store.Location, moved);
            return ExitCodes.Ok;
        }
        finally
        {
            Directory.Delete(result.PackageDirectory, recursive: true);
        }
    }
}
