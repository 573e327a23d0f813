using System.Text.Json;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Runs;
using MLPipeline.Training.Specs;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// Real models, trained once per test run into a temporary folder store: house-prices from its bundled spec (alias
/// production), a second, different house-prices version (for swaps and version routes), a binary model on
/// breast-cancer and a multiclass model on iris (small test-local specs, no cross-validation, to stay fast).
/// </summary>
public sealed class TrainedModels : IDisposable
{
    public const string HousePrices = "house-prices";
    public const string Cancer = "cancer";
    public const string Iris = "iris";

    private static readonly Lazy<TrainedModels> Shared = new(() => new TrainedModels(), LazyThreadSafetyMode.ExecutionAndPublication);

    private TrainedModels()
    {
        StoreDirectory = Path.Combine(Path.GetTempPath(), "mlpipeline-serving-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(StoreDirectory);
        Store = new FileModelStore(StoreDirectory);

        // Shared by every test class of the run, so it lives as long as the test process and is deleted when it exits.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Delete(StoreDirectory);

        // The second house-prices version is published first, so the bundled spec's version is the newest.
        HousePricesOther = Train(SpecLoader.Parse(LocalSpec(HousePrices, "house-prices.csv", "MEDV", "regression", "\"Sdca\"", """{ "CHAS": "categorical" }"""), LocalSpecPath()), "v-sdca");
        HousePricesMain = Train(SpecLoader.Load(RepoPaths.Spec(HousePrices)), null);
        Store.PromoteAsync(HousePrices, HousePricesMain.Version, "production").GetAwaiter().GetResult();
        Store.PromoteAsync(HousePrices, HousePricesOther.Version, "canary").GetAwaiter().GetResult();
        CancerModel = Train(SpecLoader.Parse(LocalSpec(Cancer, "breast-cancer.csv", "malignant", "binary", "\"LbfgsLogisticRegression\"", "{}"), LocalSpecPath()), null);
        IrisModel = Train(SpecLoader.Parse(LocalSpec(Iris, "iris.csv", "species", "multiclass", "\"LbfgsMaximumEntropy\"", "{}"), LocalSpecPath()), null);
    }

    public static TrainedModels Current => Shared.Value;

    public string StoreDirectory { get; }

    public FileModelStore Store { get; }

    public ModelManifest HousePricesMain { get; }

    public ModelManifest HousePricesOther { get; }

    public ModelManifest CancerModel { get; }

    public ModelManifest IrisModel { get; }

    public string ModelPath(ModelManifest manifest) =>
        Path.Combine(StoreDirectory, manifest.Name, "versions", manifest.Version, ModelManifest.ModelFileName);

    /// <summary>One sample row as a JSON instance, numbers as numbers.</summary>
    public static Dictionary<string, object?> Instance(ModelManifest manifest) =>
        manifest.Inputs.ToDictionary(c => c.Name, c => c.Type == "String"
            ? (object?)manifest.SampleInput[c.Name]
            : float.Parse(manifest.SampleInput[c.Name]!, System.Globalization.CultureInfo.InvariantCulture));

    public void Dispose()
    {
    }

    private static void Delete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A served file still open by an app that is shutting down: the folder is under the temp folder anyway.
        }
    }

    private ModelManifest Train(TrainingSpec spec, string? version)
    {
        var result = new TrainingRun(spec, SilentProgress.Instance).Execute(version);
        try
        {
            return Store.PublishAsync(result.PackageDirectory).GetAwaiter().GetResult();
        }
        finally
        {
            Delete(result.PackageDirectory);
        }
    }

    private string LocalSpecPath() => Path.Combine(StoreDirectory, "spec.json");

    private static string LocalSpec(string name, string data, string label, string task, string trainers, string columns) => $$"""
        {
          "name": "{{name}}",
          "data": { "path": {{JsonSerializer.Serialize(RepoPaths.Data(data))}} },
          "label": "{{label}}",
          "task": "{{task}}",
          "columns": {{columns}},
          "trainers": {{trainers}},
          "testFraction": 0.2,
          "folds": 0,
          "seed": 7,
          "export": { "onnx": false }
        }
        """;
}

[CollectionDefinition(Name)]
public sealed class ServingTestGroup : ICollectionFixture<TrainedModelsFixture>
{
    public const string Name = "serving";
}

/// <summary>xunit's handle on the shared models.</summary>
public sealed class TrainedModelsFixture
{
    public TrainedModels Models { get; } = TrainedModels.Current;
}
