using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Onnx;
using MLPipeline.Training.Onnx.Proto;

namespace MLPipeline.Training.Tests.Onnx;

/// <summary>The graph contract of docs/onnx.md, and parity on batches with missing values and unseen categories.</summary>
public sealed class OnnxGraphContractTests(PenguinsOnnxFixture penguins) : IClassFixture<PenguinsOnnxFixture>
{
    [Fact]
    public void Inputs_are_the_raw_feature_columns_with_a_named_batch_dimension_and_no_label()
    {
        using var session = new InferenceSession(penguins.Onnx);

        session.InputMetadata.Keys.Should().Equal(penguins.Inputs.Select(i => i.Name));
        session.InputMetadata.Keys.Should().NotContain("species");
        foreach (var input in penguins.Inputs)
        {
            var metadata = session.InputMetadata[input.Name];
            metadata.Dimensions.Should().Equal(-1, 1);
            metadata.SymbolicDimensions[0].Should().Be("N");
            (metadata.ElementType == (input.IsNumeric ? typeof(float) : typeof(string))).Should().BeTrue();
        }

        session.OutputMetadata.Keys.Should().BeEquivalentTo("scores", "label");
        session.OutputMetadata["scores"].Dimensions.Should().Equal(-1, 3);
        session.OutputMetadata["scores"].SymbolicDimensions[0].Should().Be("N");
        session.OutputMetadata["label"].ElementType.Should().Be<string>();
    }

    [Fact]
    public void The_file_declares_ir_8_opset_17_and_ml_opset_3_and_the_class_order()
    {
        var model = ModelProto.Parser.ParseFrom(penguins.Onnx);

        model.IrVersion.Should().Be(8);
        model.OpsetImport.Should().ContainSingle(o => o.Domain == "" && o.Version == 17);
        model.OpsetImport.Should().ContainSingle(o => o.Domain == "ai.onnx.ml" && o.Version == 3);
        model.MetadataProps.Single(p => p.Key == "mlpipeline.classes").Value.Split('\n')
            .Should().Equal(penguins.Run.Result.Manifest.Label.Classes);
    }

    [Fact]
    public void A_batch_with_missing_values_unseen_and_empty_categories_matches_MLNet_row_by_row()
    {
        var rows = penguins.Rows(
            new() { ["island"] = "Biscoe", ["bill_length_mm"] = "45.1", ["bill_depth_mm"] = "14.5", ["flipper_length_mm"] = "215", ["body_mass_g"] = "5000", ["sex"] = "female", ["year"] = "2008" },
            new() { ["island"] = "Dream", ["bill_length_mm"] = "", ["bill_depth_mm"] = "18.4", ["flipper_length_mm"] = null, ["body_mass_g"] = "3700", ["sex"] = "", ["year"] = "2009" },
            new() { ["island"] = "Atlantis", ["bill_length_mm"] = "39", ["bill_depth_mm"] = "18", ["flipper_length_mm"] = "190", ["body_mass_g"] = "3600", ["sex"] = "unknown", ["year"] = "2007" },
            new(),
            new() { ["island"] = " Biscoe", ["bill_length_mm"] = "45.1", ["sex"] = "male ", ["year"] = "2008" },
            new() { ["island"] = "BISCOE", ["bill_length_mm"] = "45.1", ["sex"] = "Male", ["year"] = "2008" },
            new() { ["island"] = "Torgersen", ["bill_length_mm"] = "50", ["bill_depth_mm"] = "15", ["flipper_length_mm"] = "220", ["body_mass_g"] = "5400", ["sex"] = "male", ["year"] = "2030" });

        var report = OnnxParityChecker.Check(penguins.Model, penguins.Onnx, rows, timedRows: 0, ModelTask.Multiclass);
        using var runtime = new OnnxRuntimeScorer(penguins.Onnx, ModelTask.Multiclass);
        var oneBatch = runtime.Score(rows, batchSize: rows.Count);
        var oneByOne = runtime.Score(rows, batchSize: 1);

        report.Rows.Should().Be(7);
        report.MaxAbsoluteDifference.Should().BeLessThanOrEqualTo(1e-5);
        oneBatch.Scores.Should().Equal(oneByOne.Scores, "a row's scores must not depend on the other rows of its batch");
        oneBatch.Labels.Should().Equal(oneByOne.Labels);
        oneBatch.Labels[0].Should().Be("Gentoo");
        for (var row = 0; row < rows.Count; row++)
        {
            oneBatch.Scores.Skip(row * 3).Take(3).Sum().Should().BeApproximately(1f, 1e-5f);
        }
    }

    [Fact]
    public void A_wrong_parameter_fails_the_parity_check_naming_the_row()
    {
        var model = ModelProto.Parser.ParseFrom(penguins.Onnx);
        var bias = model.Graph.Initializer.Single(i => i.Name == "linear_bias");
        bias.FloatData[0] += 0.01f;

        var check = () => OnnxParityChecker.Check(penguins.Model, model.ToByteArray(), penguins.Rows(new(), new() { ["island"] = "Dream" }), 0, ModelTask.Multiclass);

        check.Should().Throw<OnnxParityException>().WithMessage("*row 1 scores: ML.NET*");
    }

    [Fact]
    public void The_check_compares_predicted_labels_exactly()
    {
        // Swap two class names: scores still agree, labels no longer do.
        var model = ModelProto.Parser.ParseFrom(penguins.Onnx);
        var names = model.Graph.Initializer.Single(i => i.Name == "class_names");
        (names.StringData[0], names.StringData[1], names.StringData[2]) = (names.StringData[1], names.StringData[2], names.StringData[0]);

        var check = () => OnnxParityChecker.Check(penguins.Model, model.ToByteArray(), penguins.Rows(new Dictionary<string, string?> { ["island"] = "Biscoe", ["bill_length_mm"] = "45", ["flipper_length_mm"] = "215", ["body_mass_g"] = "5000" }), 0, ModelTask.Multiclass);

        check.Should().Throw<OnnxParityException>().WithMessage("*row 1 label: ML.NET*");
    }

    [Fact]
    public void A_multiclass_label_may_differ_only_between_two_classes_tied_within_the_rounding_allowance()
    {
        var rounding = LinearRoundingAllowance.Of(penguins.Model, penguins.Rows(new Dictionary<string, string?> { ["island"] = "Biscoe", ["bill_length_mm"] = "45" }))!;
        var a = (float)rounding.Score(0);
        var s = 100 * a;

        a.Should().BePositive();
        rounding.LabelsMayDiffer(0, [s, s - a, 0], [s - a, s, 0]).Should().BeTrue("either engine may pick either of two classes this close");
        rounding.LabelsMayDiffer(0, [s, s - (3 * a), 0], [s - (3 * a), s, 0]).Should().BeFalse("the scores may not move this far");
        rounding.LabelsMayDiffer(0, [s, s - a, 0], [s, s - a, 0]).Should().BeFalse("the same class under two names is a wrong file");
    }
}
