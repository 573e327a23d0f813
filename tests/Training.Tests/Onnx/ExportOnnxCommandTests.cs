using System.CommandLine;
using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;
using MLPipeline.Training.Cli;

namespace MLPipeline.Training.Tests.Onnx;

/// <summary>The export-onnx command on store references and version folders, and the ONNX exit code of train.</summary>
public sealed class ExportOnnxCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _store;

    public ExportOnnxCommandTests() => _store = Directory.CreateDirectory(_folder.Combine("store")).FullName;

    [Fact]
    public async Task Exports_a_published_model_by_reference_and_by_version_folder()
    {
        var manifest = await Publish(OnnxTestSpecs.Quick("iris", "iris.csv", "species", "multiclass", "LightGbm"));
        var byReference = Path.Combine(_store, "by-reference.onnx");
        var versionFolder = Path.Combine(_store, manifest.Name, "versions", manifest.Version);

        (await Run("export-onnx", "iris@staging", "--store", _store, "--output", byReference)).Should().Be(ExitCodes.Ok);
        (await Run("export-onnx", "iris:" + manifest.Version, "--store", _store, "--output", byReference, "--data", RepositoryRoot.Data("iris.csv"))).Should().Be(ExitCodes.Ok);
        (await Run("export-onnx", Path.Combine(versionFolder, ModelManifest.ModelFileName), "--output", Path.Combine(_store, "by-path.onnx"))).Should().Be(ExitCodes.Ok);

        using var session = new InferenceSession(byReference);
        session.OutputMetadata.Keys.Should().BeEquivalentTo("scores", "label");
        File.ReadAllBytes(Path.Combine(_store, "by-path.onnx")).Should().Equal(File.ReadAllBytes(byReference));
    }

    [Fact]
    public async Task Bad_references_and_data_get_their_exit_codes()
    {
        await Publish(OnnxTestSpecs.Quick("iris", "iris.csv", "species", "multiclass", "LbfgsMaximumEntropy"));
        var wrongData = RepositoryRoot.Data("penguins.csv");

        (await Run("export-onnx", "no-such-model", "--store", _store)).Should().Be(ExitCodes.StoreError);
        (await Run("export-onnx", "iris", "--store", _store, "--data", wrongData, "--output", Path.Combine(_store, "x.onnx"))).Should().Be(ExitCodes.BadData);
        (await Run("export-onnx", RepositoryRoot.Data("iris.csv"))).Should().Be(ExitCodes.BadUsageOrSpec);
    }

    [Fact]
    public async Task Train_with_explicit_onnx_and_a_model_neither_exporter_handles_exits_5_and_publishes_nothing()
    {
        var withCategoricalSplits = new JsonObject { ["name"] = "FastTree", ["options"] = new JsonObject { ["CategoricalSplit"] = true } };
        var spec = OnnxTestSpecs.Quick("credit-categorical-splits", "credit.csv", "Status", "binary", withCategoricalSplits).With("positiveClass", "bad").With("export", new { onnx = true });

        // The real console with a temp folder of its own, to see that the refused package's staging folder goes too.
        var temp = Directory.CreateDirectory(_folder.Combine("temp")).FullName;
        var train = await CliRunner.RunAsync(new Dictionary<string, string?> { ["TMPDIR"] = temp }, "train", spec.WriteTo(_folder), "--store", _store);

        train.ExitCode.Should().Be(ExitCodes.OnnxExportFailed, train.Output);
        Directory.Exists(Path.Combine(_store, "credit-categorical-splits")).Should().BeFalse();
        var staging = Path.Combine(temp, "mlpipeline");
        (Directory.Exists(staging) ? Directory.GetDirectories(staging) : []).Should().BeEmpty("nothing of a refused package is left behind");
    }

    [Fact]
    public async Task Export_onnx_whose_file_fails_parity_exits_5_and_writes_nothing()
    {
        // Categorical tree splits: the official converter writes a file that scores differently (docs/onnx.md).
        var withCategoricalSplits = new JsonObject { ["name"] = "FastTree", ["options"] = new JsonObject { ["CategoricalSplit"] = true } };
        await Publish(OnnxTestSpecs.Quick("credit-categorical-splits", "credit.csv", "Status", "binary", withCategoricalSplits).With("positiveClass", "bad").With("export", new { onnx = false }));
        var output = Path.Combine(_store, "categorical-splits.onnx");

        (await Run("export-onnx", "credit-categorical-splits", "--store", _store, "--exporter", "official", "--output", output)).Should().Be(ExitCodes.OnnxExportFailed);

        File.Exists(output).Should().BeFalse();
        Directory.EnumerateFiles(_store, "*.onnx", SearchOption.AllDirectories).Should().BeEmpty();
    }

    [Fact]
    public async Task The_exporter_option_picks_ours_the_official_one_or_ours_with_the_fallback()
    {
        await Publish(OnnxTestSpecs.Quick("iris", "iris.csv", "species", "multiclass", "LbfgsMaximumEntropy"));
        await Publish(OnnxTestSpecs.Quick("credit-text", "credit.csv", "Status", "binary", "LbfgsLogisticRegression").With("columns", new { Job = "text" }).With("positiveClass", "bad"));
        string Output(string name) => Path.Combine(_store, name + ".onnx");

        (await Run("export-onnx", "iris", "--store", _store, "--exporter", "official", "--output", Output("iris-official"))).Should().Be(ExitCodes.Ok);
        (await Run("export-onnx", "iris", "--store", _store, "--exporter", "own", "--output", Output("iris-own"))).Should().Be(ExitCodes.Ok);
        (await Run("export-onnx", "credit-text", "--store", _store, "--exporter", "own", "--output", Output("text-own"))).Should().Be(ExitCodes.OnnxExportFailed);
        (await Run("export-onnx", "credit-text", "--store", _store, "--output", Output("text-auto"))).Should().Be(ExitCodes.Ok);
        (await Run("export-onnx", "iris", "--store", _store, "--exporter", "onnxmltools")).Should().Be(ExitCodes.BadUsageOrSpec);

        Exporter(Output("iris-official")).Should().Be("Microsoft.ML.OnnxConverter");
        Exporter(Output("iris-own")).Should().Be("mlpipeline");
        Exporter(Output("text-auto")).Should().Be("Microsoft.ML.OnnxConverter");
        File.Exists(Output("text-own")).Should().BeFalse();
    }

    private static string Exporter(string onnxFile)
    {
        using var session = new InferenceSession(onnxFile);
        return session.ModelMetadata.CustomMetadataMap["mlpipeline.exporter"];
    }

    public void Dispose() => _folder.Dispose();

    private async Task<ModelManifest> Publish(TestSpec spec)
    {
        using var run = TrainedInProcess.Train(spec);
        var store = new FileModelStore(_store);
        var manifest = await store.PublishAsync(run.Result.PackageDirectory);
        await store.PromoteAsync(manifest.Name, manifest.Version, "staging");
        return manifest;
    }

    private static Task<int> Run(params string[] args) =>
        new RootCommand { TrainCommand.Create(), ExportOnnxCommand.Create() }.Parse(args).InvokeAsync();
}
