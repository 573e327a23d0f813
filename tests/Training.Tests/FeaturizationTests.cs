using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLPipeline.Shared.Manifest;
using MLPipeline.TestSupport;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Data;
using MLPipeline.Training.Featurization;
using MLPipeline.Training.Runs;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Tests;

public class FeaturizationTests
{
    private sealed class Penguin
    {
        [ColumnName("island")]
        public string? Island { get; set; }

        [ColumnName("bill_length_mm")]
        public float BillLength { get; set; }

        [ColumnName("bill_depth_mm")]
        public float BillDepth { get; set; }

        [ColumnName("flipper_length_mm")]
        public float FlipperLength { get; set; }

        [ColumnName("body_mass_g")]
        public float BodyMass { get; set; }

        [ColumnName("sex")]
        public string? Sex { get; set; }
    }

    [Theory]
    [InlineData("penguins", false, true)]
    [InlineData("penguins", true, true)]
    [InlineData("ames-housing", true, false)]
    [InlineData("credit", false, true)]
    public void One_pass_featurizer_reads_the_rows_once_and_equals_the_ML_NET_estimator_chain(string specName, bool normalize, bool hasMissing)
    {
        var spec = SpecLoader.Load(RepositoryRoot.Spec(specName));
        using var data = StoredRows.Read(spec);
        var profile = data.Profile;
        var ml = new MLContext(1);
        var rows = new CountingDataView(data.Load(ml));

        var onePass = FeaturePipeline.Build(ml, profile.Features, normalize).Fit(rows);
        var rowsRead = rows.RowsRead;
        var chain = FeaturePipeline.BuildChain(ml, profile.Features, normalize).Fit(rows);

        profile.Features.Should().Contain(f => f.Kind == ColumnKind.Categorical).And.Contain(f => f.Kind == ColumnKind.Numeric);
        (profile.MissingByColumn.Values.Sum() > 0).Should().Be(hasMissing, "data with missing values exercises the imputation");
        rowsRead.Should().Be(profile.Rows, "means, ranges and categories come from one pass");
        rows.RowsRead.Should().BeGreaterThan(2 * profile.Rows, "ML.NET's chain reads the rows once per trainable step");

        var expected = Features(chain.Transform(rows));
        var actual = Features(onePass.Transform(rows));
        SlotNames(onePass.Transform(rows)).Should().Equal(SlotNames(chain.Transform(rows)));
        actual.Should().HaveCount(expected.Count);
        for (var row = 0; row < expected.Count; row++)
        {
            for (var slot = 0; slot < expected[row].Length; slot++)
            {
                actual[row][slot].Should().BeApproximately(expected[row][slot], 1e-6f * Math.Max(1, Math.Abs(expected[row][slot])), $"row {row}, slot {slot}");
            }
        }
    }

    private static List<float[]> Features(IDataView featurized) =>
        featurized.GetColumn<VBuffer<float>>(FeaturePipeline.FeaturesColumn).Select(v => v.DenseValues().ToArray()).ToList();

    private static string[] SlotNames(IDataView featurized)
    {
        VBuffer<ReadOnlyMemory<char>> names = default;
        featurized.Schema[FeaturePipeline.FeaturesColumn].GetSlotNames(ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }

    [Fact]
    public void Missing_numbers_missing_categories_and_unseen_categories_all_predict()
    {
        var spec = SpecLoader.Load(RepositoryRoot.Spec("penguins")) with { Folds = 0, Trainers = [new("LbfgsMaximumEntropy", new Dictionary<string, System.Text.Json.JsonElement>(), new Dictionary<string, IReadOnlyList<System.Text.Json.JsonElement>>())] };
        using var run = TrainedInProcess.Train(spec);
        var result = run.Result;
        var ml = new MLContext();
        var model = ml.Model.Load(Path.Combine(result.PackageDirectory, ModelManifest.ModelFileName), out _);
        using var engine = ml.Model.CreatePredictionEngine<Penguin, MulticlassOutput>(model);

        var known = engine.Predict(new Penguin { Island = "Biscoe", BillLength = 47.5f, BillDepth = 15f, FlipperLength = 218, BodyMass = 4950, Sex = "female" });
        var missing = engine.Predict(new Penguin { Island = "", BillLength = float.NaN, BillDepth = 15f, FlipperLength = 218, BodyMass = float.NaN, Sex = "" });
        var unseen = engine.Predict(new Penguin { Island = "Atlantis", BillLength = 47.5f, BillDepth = 15f, FlipperLength = 218, BodyMass = 4950, Sex = "unknown" });

        known.PredictedLabel.Should().Be("Gentoo");
        foreach (var prediction in new[] { missing, unseen })
        {
            prediction.Score.Should().HaveCount(3).And.OnlyContain(p => float.IsFinite(p));
            prediction.Score.Sum().Should().BeApproximately(1, 1e-4f);
        }

        missing.PredictedLabel.Should().BeOneOf("Adelie", "Chinstrap", "Gentoo");
        unseen.PredictedLabel.Should().BeOneOf("Adelie", "Chinstrap", "Gentoo");

    }

    [Theory]
    [InlineData("Sdca", true)]
    [InlineData("FastTree", false)]
    public void Numeric_features_are_normalized_for_linear_trainers_only(string trainer, bool normalized)
    {
        using var dir = new TempFolder();
        var spec = SpecLoader.Load(TestSpec.OverBundledData("n", "diabetes.csv", "progression", "regression", trainer).With("testFraction", 0.2).WithoutCrossValidation().WriteTo(dir));
        using var run = TrainedInProcess.Train(spec);
        var result = run.Result;
        var model = new MLContext().Model.Load(Path.Combine(result.PackageDirectory, ModelManifest.ModelFileName), out _);

        TransformerChains.Flatten(model).Any(t => t is NormalizingTransformer).Should().Be(normalized);
    }

    [Fact]
    public void Text_columns_are_featurized()
    {
        using var dir = new TempFolder();
        var rows = Enumerable.Range(0, 120).Select(i => i % 2 == 0
            ? $"\"great product, works well, item {i}\",{i % 7},true"
            : $"\"broken on arrival, poor quality, item {i}\",{i % 7},false");
        var data = dir.File("reviews.csv", "review,stars,liked\n" + string.Join("\n", rows) + "\n");
        var spec = SpecLoader.Load(new TestSpec("reviews", data, "liked", "binary", "LbfgsLogisticRegression")
            .With("columns", new { review = "text" }).WithoutCrossValidation().WriteTo(dir));

        using var run = TrainedInProcess.Train(spec);
        var result = run.Result;

        result.Manifest.Inputs.Should().Contain(new InputColumn("review", "String", ColumnRole.Text));
        result.Manifest.Metrics.Test["Accuracy"].Should().BeGreaterThan(0.95);
    }

    [Fact]
    public async Task Redirected_output_is_plain_text_without_terminal_escapes()
    {
        using var store = new TempFolder();
        var result = await CliRunner.RunAsync("train", "pipelines/linear-2x-minus-1.json", "--store", store.Path);

        result.ExitCode.Should().Be(0, result.Output);
        result.Output.Should().NotContain("\u001b[");
        result.StdErr.Should().Contain("> Reading linear-2x-minus-1.csv").And.Contain("done: Fitting OnlineGradientDescent");
    }
}
