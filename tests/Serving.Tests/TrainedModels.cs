using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;
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
        // Shared by every test class of the run, so it lives as long as the test process and is deleted when it exits.
        StoreDirectory = RunTempFolder.NewFolder("trained-models-");
        Store = new FileModelStore(StoreDirectory);

        // The second house-prices version is published first, so the bundled spec's version is the newest.
        HousePricesOther = Train(LocalSpec(HousePrices, "house-prices.csv", "MEDV", "regression", "Sdca").With("columns", new { CHAS = "categorical" }), "v-sdca");
        HousePricesMain = Train(SpecLoader.Load(RepositoryRoot.Spec(HousePrices)), null);
        Store.PromoteAsync(HousePrices, HousePricesMain.Version, "production").GetAwaiter().GetResult();
        Store.PromoteAsync(HousePrices, HousePricesOther.Version, "canary").GetAwaiter().GetResult();
        CancerModel = Train(LocalSpec(Cancer, "breast-cancer.csv", "malignant", "binary", "LbfgsLogisticRegression"), null);
        IrisModel = Train(LocalSpec(Iris, "iris.csv", "species", "multiclass", "LbfgsMaximumEntropy"), null);
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

    /// <summary>A small test-local spec: no cross-validation and no ONNX, to stay fast.</summary>
    private static TestSpec LocalSpec(string name, string data, string label, string task, string trainer) =>
        TestSpec.OverBundledData(name, data, label, task, trainer).With("testFraction", 0.2).WithoutCrossValidation().With("seed", 7).With("export", new { onnx = false });

    /// <summary>Trains a test-local spec, written beside the store like a user's file.</summary>
    private ModelManifest Train(TestSpec spec, string? version)
    {
        using var folder = new TempFolder();
        return Train(SpecLoader.Load(spec.WriteTo(folder)), version);
    }
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
