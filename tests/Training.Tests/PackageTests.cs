using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Runs;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Tests;

public class PackageTests
{
    private sealed class XInput
    {
        [ColumnName("x")]
        public float X { get; set; }
    }

    private sealed class ScoreOutput
    {
        public float Score { get; set; }
    }

    [Fact]
    public async Task Published_package_has_the_documented_layout_and_a_complete_manifest()
    {
        using var store = new TempFolder();
        var spec = SpecLoader.Load(RepositoryRoot.Spec("penguins"));
        using var run = new TrainedInProcess(new TrainingRun(spec, SilentProgress.Instance).Execute(version: "v1"));
        var result = run.Result;
        var manifest = await new FileModelStore(store.Path).PublishAsync(result.PackageDirectory);

        var versionDir = Path.Combine(store.Path, "penguins", "versions", "v1");
        Directory.GetFiles(versionDir).Select(Path.GetFileName).Where(f => !f!.StartsWith("plot-", StringComparison.Ordinal))
            .Should().BeEquivalentTo([ModelManifest.ModelFileName, ModelManifest.OnnxFileName, "report.md", ModelManifest.FileName]);
        manifest.Artifacts.Keys.Should().BeEquivalentTo(Directory.GetFiles(versionDir).Select(Path.GetFileName).Where(f => f != ModelManifest.FileName));
        var stored = ManifestJson.Deserialize(File.ReadAllBytes(Path.Combine(versionDir, ModelManifest.FileName)), "test");
        ManifestJson.Serialize(stored).Should().Equal(ManifestJson.Serialize(manifest));
        stored.Name.Should().Be("penguins");
        stored.Task.Should().Be(ModelTask.Multiclass);
        stored.CreatedUtc.Offset.Should().Be(TimeSpan.Zero);
        stored.Inputs.Select(i => (i.Name, i.Type, i.Role)).Should().Equal(
            ("island", "String", ColumnRole.Categorical),
            ("bill_length_mm", "Single", ColumnRole.Numeric),
            ("bill_depth_mm", "Single", ColumnRole.Numeric),
            ("flipper_length_mm", "Single", ColumnRole.Numeric),
            ("body_mass_g", "Single", ColumnRole.Numeric),
            ("sex", "String", ColumnRole.Categorical));
        stored.Inputs[0].Categories.Should().Equal("Biscoe", "Dream", "Torgersen");
        stored.Inputs[5].Categories.Should().Equal("female", "male");
        stored.Inputs[1].Categories.Should().BeNull();
        stored.Outputs.Select(o => o.Name).Should().BeEquivalentTo("Score", "PredictedLabel");
        stored.Label.Should().BeEquivalentTo(new LabelInfo("species", ["Adelie", "Chinstrap", "Gentoo"]));
        stored.Metrics.MainMetric.Should().Be("MacroAccuracy");
        stored.Metrics.Test.Should().ContainKeys("MacroAccuracy", "MicroAccuracy", "LogLoss");
        stored.Metrics.CrossValidation!["MacroAccuracy"].Mean.Should().BeGreaterThan(0.9);
        stored.Metrics.ConfusionMatrix.Should().HaveCount(3);
        stored.Metrics.PerClassRecall.Should().ContainKeys("Adelie", "Chinstrap", "Gentoo");
        stored.TrainingData.Rows.Should().Be(344);
        stored.TrainingData.Sha256.Should().Be(await ArtifactHash.OfFileAsync(RepositoryRoot.Data("penguins.csv")));
        (stored.TrainingData.TrainRows + stored.TrainingData.TestRows).Should().Be(344);
        stored.Artifacts[ModelManifest.ModelFileName].Sha256.Should().Be(await ArtifactHash.OfFileAsync(Path.Combine(versionDir, ModelManifest.ModelFileName)));
        stored.Lineage.MLNetVersion.Should().StartWith("5.");
        stored.Lineage.Runtime.Should().Contain(".NET");
        stored.SampleInput.Should().ContainKeys("island", "sex").And.NotContainKey("species").And.NotContainKey("year");
        stored.Spec!.Value.GetProperty("name").GetString().Should().Be("penguins");
    }

    [Fact]
    public void Saved_model_needs_only_the_feature_columns_and_maps_class_names_back()
    {
        var spec = SpecLoader.Load(RepositoryRoot.Spec("iris")) with { Folds = 0 };
        using var run = TrainedInProcess.Train(spec);
        var result = run.Result;
        var ml = new MLContext();

        var model = ml.Model.Load(Path.Combine(result.PackageDirectory, ModelManifest.ModelFileName), out var schema);
        schema.Select(c => c.Name).Should().Equal("sepal_length", "sepal_width", "petal_length", "petal_width");
        var row = ml.Data.LoadFromEnumerable([new IrisInput { SepalLength = 6.7f, SepalWidth = 3.0f, PetalLength = 5.2f, PetalWidth = 2.3f }]);
        model.Transform(row).GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Single().ToString().Should().Be("virginica");
    }

    [Fact]
    public void Seed_example_y_equals_2x_minus_1_predicts_19_at_10()
    {
        var (ml, model) = Train("linear-2x-minus-1");

        Predict(ml, model, 10).Should().BeApproximately(19, 0.1f);
    }

    [Fact]
    public void Seed_example_five_points_fits_slope_0_9_and_intercept_0_3()
    {
        var (ml, model) = Train("five-points");
        var intercept = Predict(ml, model, 0);
        var slope = (Predict(ml, model, 5) - intercept) / 5;

        intercept.Should().BeApproximately(0.3f, 0.02f);
        slope.Should().BeApproximately(0.9f, 0.02f);
    }

    private static (MLContext, ITransformer) Train(string specName)
    {
        using var run = TrainedInProcess.Train(SpecLoader.Load(RepositoryRoot.Spec(specName)));
        var result = run.Result;
        var ml = new MLContext();
        var model = ml.Model.Load(Path.Combine(result.PackageDirectory, ModelManifest.ModelFileName), out _);
        return (ml, model);
    }

    private static float Predict(MLContext ml, ITransformer model, float x)
    {
        using var engine = ml.Model.CreatePredictionEngine<XInput, ScoreOutput>(model);
        return engine.Predict(new XInput { X = x }).Score;
    }
}
