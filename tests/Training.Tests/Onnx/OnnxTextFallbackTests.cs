using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Onnx;
using MLPipeline.Training.Onnx.Proto;

namespace MLPipeline.Training.Tests.Onnx;

/// <summary>
/// A model with a free-text column: our exporter refuses it, the official converter's graph (text normalization
/// supplied, batches repaired, rewritten to our contract) passes parity and is published, and it is served
/// unchanged by ML.NET's ApplyOnnxModel.
/// </summary>
public sealed class OnnxTextFallbackTests(FineFoodsOnnxFixture fineFoods) : IClassFixture<FineFoodsOnnxFixture>
{
    [Fact]
    public void The_official_converter_writes_the_published_file_and_the_manifest_says_so()
    {
        var onnx = fineFoods.Run.Result.Manifest.Onnx!;

        onnx.Exported.Should().BeTrue(onnx.Reason);
        onnx.Exporter.Should().Be("Microsoft.ML.OnnxConverter");
        onnx.ExporterVersion.Should().Be("0.23.1");
        onnx.FallbackReason.Should().Contain("FeaturizeText").And.Contain("'review'");
        onnx.IrVersion.Should().Be(6);
        onnx.Opsets.Should().Contain("ai.onnx", 12).And.Contain("ai.onnx.ml", 2).And.Contain("com.microsoft", 1);
        onnx.MaxAbsoluteDifference.Should().BeLessThanOrEqualTo(1e-5);
        onnx.ParityRows.Should().Be(fineFoods.Run.Result.Manifest.TrainingData.TestRows + 2);
        fineFoods.Run.Result.Manifest.Artifacts[ModelManifest.OnnxFileName].Sha256.Should().Be(Shared.Store.ArtifactHash.Describe(fineFoods.Run.ModelOnnx).Sha256);
        OnnxSummary.Describe(onnx).Should().StartWith("exported by Microsoft.ML.OnnxConverter 0.23.1 (IR 6, ai.onnx 12, ai.onnx.ml 2, com.microsoft 1)");
        File.ReadAllText(Path.Combine(fineFoods.Run.Result.PackageDirectory, "report.md")).Should().Contain("## ONNX").And.Contain("exported by Microsoft.ML.OnnxConverter 0.23.1");
    }

    [Fact]
    public void Case_diacritics_combining_marks_spaces_and_emoji_score_as_in_MLNet_in_one_batch_and_row_by_row()
    {
        var rows = fineFoods.Reviews(
            "GREAT coffee, great price!",
            "great coffee, great price!",
            "Café crème brûlée",
            "Cafe\u0301 cre\u0300me bru\u0302le\u0301e",
            "ÀÉÎÕÜ ñ ç, TRÈS bon; \u0301 alone",
            "  great   coffee    ",
            "\U0001F600 great \U0001F600coffee\U0001F600",
            "",
            "tab\tseparated\nnew line",
            "\uFFFD replacement C\uFFFDtes-du-Rh\uFFFDne",
            string.Join(" ", Enumerable.Repeat("the best tasting tea I have ever had, would buy again", 60)),
            "x");

        var report = OnnxParityChecker.Check(fineFoods.Model, fineFoods.Onnx, rows, timedRows: 0, ModelTask.Binary);
        using var runtime = new OnnxRuntimeScorer(fineFoods.Onnx, ModelTask.Binary);
        var oneBatch = runtime.Score(rows, batchSize: rows.Count);
        var oneByOne = runtime.Score(rows, batchSize: 1);

        report.MaxAbsoluteDifference.Should().BeLessThanOrEqualTo(1e-5);
        // A row's score must not depend on the other rows of its batch (the converter's word path mixed them);
        // its LinearRegressor sums in another order for a batch: a float ulp, no more.
        oneBatch.Scores.Should().Equal(oneByOne.Scores, (a, b) => Math.Abs(a - b) <= 1e-6f * Math.Max(1, Math.Abs(a)));
        oneBatch.Probabilities.Should().Equal(oneByOne.Probabilities, (a, b) => Math.Abs(a - b) <= 1e-6f);
        oneBatch.Scores[0].Should().Be(oneBatch.Scores[1], "FeaturizeText lower-cases");
        oneBatch.Scores[2].Should().Be(oneBatch.Scores[3], "FeaturizeText removes diacritics, precomposed or combining");
    }

    [Fact]
    public void The_normalization_table_is_read_from_the_model_FeaturizeText_lower_cases_and_strips_diacritics()
    {
        var table = TextNormalizationTable.Probe(fineFoods.Model, fineFoods.Inputs, "review", "review_TextNormalizer");

        table.Normalize('A').Should().Be("a");
        table.Normalize('\u00C9').Should().Be("e");
        table.Normalize('\u0301').Should().BeEmpty("combining diacritics are removed");
        table.Normalize(' ').Should().Be(" ");
        table.Normalize('!').Should().Be("!", "punctuation is kept by default");
        table.Normalize("Cafe\u0301 CRÈME").Should().Be("cafe creme");
    }

    [Fact]
    public void The_graph_honours_the_contract_raw_text_in_and_only_score_probability_label_out()
    {
        using var session = new InferenceSession(fineFoods.Onnx);
        var model = ModelProto.Parser.ParseFrom(fineFoods.Onnx);

        session.InputMetadata.Keys.Should().Equal("review");
        session.InputMetadata["review"].Dimensions.Should().Equal(-1, 1);
        session.InputMetadata["review"].SymbolicDimensions[0].Should().Be("N");
        session.OutputMetadata.Keys.Should().Equal("score", "probability", "label");
        session.OutputMetadata["label"].ElementType.Should().Be<bool>();
        model.Graph.Input.Select(i => i.Name).Should().NotContain(n => n.EndsWith("_TextNormalizer", StringComparison.Ordinal));
        model.MetadataProps.Single(p => p.Key == "mlpipeline.exporter").Value.Should().Be("Microsoft.ML.OnnxConverter");
    }

    [Fact]
    public void ApplyOnnxModel_serves_the_published_file_unchanged()
    {
        var rows = fineFoods.Reviews("Absolutely delicious, my kids love it.", "Stale and overpriced. Never again!", "Café crème, TRÈS bon", "");
        var ml = fineFoods.Ml;
        var data = rows.ToDataView();

        // ONNX inputs are [N, 1]: the review becomes a one-slot vector of the same name first.
        var scored = ml.Transforms.Concatenate("review", "review")
            .Append(ml.Transforms.ApplyOnnxModel(["score", "probability", "label"], ["review"], fineFoods.Run.ModelOnnx))
            .Fit(data)
            .Transform(data);

        var expected = MLNetScorer.Score(fineFoods.Model, rows, ModelTask.Binary);
        var probabilities = scored.GetColumn<VBuffer<float>>("probability").Select(p => p.DenseValues().Single()).ToList();
        var labels = scored.GetColumn<VBuffer<bool>>("label").Select(l => l.DenseValues().Single().ToString()).ToList();
        probabilities.Should().Equal(expected.Probabilities!, (a, b) => Math.Abs(a - b) <= 1e-5f);
        labels.Should().Equal(expected.Labels);
    }
}
