using System.CommandLine;
using MLPipeline.Shared.Store;
using MLPipeline.Training.Distributed;
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
        var compareTo = new Option<string?>("--compare-to")
        {
            Description = "Champion/challenger: score the version this alias points at on the same test rows; fail (exit 3) when the new model is worse by more than the spec's championTolerance.",
        };
        var workers = new Option<string?>("--workers")
        {
            Description = "Run the search's trials on workers (mlpipeline worker) behind this storage queue URI instead of this machine's cores; the plan and results go to the store under runs/<run-id>/.",
        };
        var runId = new Option<string?>("--run-id") { Description = "With --workers: the run's id (default: the model name and UTC time); the same id again resumes from the trials already recorded." };
        var command = new Command("train", "Train a model from a spec, evaluate it, enforce its gates and publish it to the store.")
        {
            spec, store, alias, version, compareTo, workers, runId,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(() => RunAsync(
            parse.GetValue(spec)!, parse.GetValue(store), parse.GetValue(alias), parse.GetValue(version), parse.GetValue(compareTo),
            parse.GetValue(workers), parse.GetValue(runId), cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(string specPath, string? storeLocation, string? alias, string? version, string? compareTo, string? workers, string? runId, CancellationToken cancellationToken)
    {
        if (runId is not null && workers is null)
        {
            throw new ArgumentException("--run-id names a distributed run: give --workers <queue URI> too.");
        }

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
        var champion = compareTo is null ? null : await FetchChampionAsync(store, spec.Name, StoreNames.Check(compareTo, "alias"), cancellationToken);
        var queues = workers is null ? null : TrialQueues.Connect(workers);
        var id = runId is null ? $"{spec.Name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}" : StoreNames.Check(runId, "run id");
        var result = await SpectreProgress.RunAsync(Terminal.IsInteractive, progress => new TrainingRun(spec, progress)
        {
            Executor = queues is null ? null : evaluator => new QueueTrialExecutor(queues, RunFiles.Open(storeLocation), id, evaluator, progress),
        }.ExecuteAsync(version, champion, cancellationToken));
        try
        {
            var publishing = System.Diagnostics.Stopwatch.StartNew();
            var manifest = await store.PublishAsync(result.PackageDirectory, cancellationToken);
            var moved = alias is null ? null : await store.PromoteAsync(manifest.Name, manifest.Version, alias, cancellationToken);
            TrainingSummary.Print(result, store.Location, moved, publishing.Elapsed);
            AzureDevOps.Publish(Console.Out, manifest, result.PackageDirectory);
            return ExitCodes.Ok;
        }
        finally
        {
            Directory.Delete(result.PackageDirectory, recursive: true);
        }
    }

    /// <summary>The champion is whatever the alias points at now; without one there is nothing to beat.</summary>
    private static async Task<ChampionModel?> FetchChampionAsync(IModelStore store, string name, string alias, CancellationToken cancellationToken)
    {
        var pointer = await store.FindAliasAsync(name, alias, cancellationToken);
        if (pointer is null)
        {
            Console.Error.WriteLine($"! {name}@{alias} does not exist in {store.Location}: no champion to compare with.");
            return null;
        }

        var manifest = await store.ResolveAsync(new ModelReference(name, pointer.Version, null), cancellationToken);
        var model = await store.ReadArtifactAsync(manifest, Shared.Manifest.ModelManifest.ModelFileName, cancellationToken);
        return new ChampionModel(alias, manifest, model);
    }
}
