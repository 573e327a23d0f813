using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Onnx;
using MLPipeline.Training.Onnx.Proto;

namespace MLPipeline.Training.Tests.Onnx;

/// <summary>
/// Microsoft.ML.OnnxConverter's graph rewritten to our contract, on the penguins model (categoricals, missing
/// values, normalization, multiclass): the converter's raw graph has a label-free input list only because it is
/// fed the feature columns, and every intermediate column as an output; the rewrite keeps the contract.
/// </summary>
public sealed class OfficialGraphRewriterTests(PenguinsOnnxFixture penguins) : IClassFixture<PenguinsOnnxFixture>
{
    private OnnxExportRequest Request => new(penguins.Model, penguins.Inputs, ModelTask.Multiclass, penguins.Run.Result.Manifest.Label.Classes, "LbfgsMaximumEntropy", "penguins");

    [Fact]
    public void The_converters_graph_has_every_column_as_an_output_and_the_rewrite_keeps_only_the_contract()
    {
        var raw = ModelProto.Parser.ParseFrom(OfficialOnnxConverter.Convert(penguins.Model, penguins.Inputs).Bytes);
        var file = CheckedOnnxExport.Run(Request, OnnxExporterChoice.Official, penguins.Rows(new(), new() { ["island"] = "Dream", ["sex"] = "male" }), 0);
        var rewritten = ModelProto.Parser.ParseFrom(file.Bytes);

        raw.Graph.Output.Select(o => o.Name).Should().Contain(["Score.output", "PredictedLabel.output", "Features.output", "island.output"]);
        rewritten.Graph.Output.Select(o => o.Name).Should().Equal("scores", "label");
        rewritten.Graph.Input.Select(i => i.Name).Should().Equal(penguins.Inputs.Select(i => i.Name));
        rewritten.Graph.ValueInfo.Should().BeEmpty("the converter's declarations of intermediate shapes are wrong for its one-hot nodes");
        rewritten.Graph.Node.Should().NotContain(n => n.Output.Any(o => o.StartsWith("mlnet.", StringComparison.Ordinal) || o.EndsWith(".output", StringComparison.Ordinal)));
        rewritten.Graph.Node.Count.Should().BeLessThan(raw.Graph.Node.Count);
        var used = rewritten.Graph.Node.SelectMany(n => n.Input).ToHashSet();
        rewritten.Graph.Initializer.Should().OnlyContain(i => used.Contains(i.Name), "initializers no node reads are pruned");
        rewritten.MetadataProps.ToDictionary(p => p.Key, p => p.Value).Should().Contain("mlpipeline.exporter", "Microsoft.ML.OnnxConverter")
            .And.Contain("mlpipeline.classes", string.Join("\n", penguins.Run.Result.Manifest.Label.Classes!));
        file.IrVersion.Should().Be(6);
        file.Opsets.Should().Equal(new Dictionary<string, long> { ["ai.onnx"] = 12, ["ai.onnx.ml"] = 2 });
    }

    [Fact]
    public void Inputs_are_the_raw_columns_with_a_named_batch_dimension_and_outputs_have_the_contracts_shapes()
    {
        var file = CheckedOnnxExport.Run(Request, OnnxExporterChoice.Official, penguins.Rows(new Dictionary<string, string?>()), 0);
        using var session = new InferenceSession(file.Bytes);

        foreach (var input in penguins.Inputs)
        {
            session.InputMetadata[input.Name].Dimensions.Should().Equal(-1, 1);
            session.InputMetadata[input.Name].SymbolicDimensions[0].Should().Be("N");
        }

        session.OutputMetadata["scores"].Dimensions.Should().Equal(-1, 3);
        session.OutputMetadata["label"].Dimensions.Should().Equal(-1);
        session.OutputMetadata["label"].ElementType.Should().Be<string>("the converter maps the predicted key back to the class name");
    }

    [Fact]
    public void The_rewritten_file_matches_MLNet_on_missing_values_and_unseen_categories_in_one_batch_and_row_by_row()
    {
        var rows = penguins.Rows(
            new() { ["island"] = "Biscoe", ["bill_length_mm"] = "45.1", ["bill_depth_mm"] = "14.5", ["flipper_length_mm"] = "215", ["body_mass_g"] = "5000", ["sex"] = "female", ["year"] = "2008" },
            new() { ["island"] = "Dream", ["bill_length_mm"] = "", ["bill_depth_mm"] = "18.4", ["body_mass_g"] = "3700", ["sex"] = "", ["year"] = "2009" },
            new() { ["island"] = "Atlantis", ["bill_length_mm"] = "39", ["sex"] = "unknown", ["year"] = "2007" },
            new());

        var file = CheckedOnnxExport.Run(Request, OnnxExporterChoice.Official, ParityRows.WithEdgeCases(rows), rows.Count);
        using var runtime = new OnnxRuntimeScorer(file.Bytes, ModelTask.Multiclass);

        file.Parity.MaxAbsoluteDifference.Should().BeLessThanOrEqualTo(1e-5);
        // The converter's LinearClassifier sums in another order for a batch: a float ulp, no more.
        runtime.Score(rows, rows.Count).Scores.Should().Equal(runtime.Score(rows, 1).Scores, (a, b) => Math.Abs(a - b) <= 1e-6f);
        runtime.Score(rows, rows.Count).Labels[0].Should().Be("Gentoo");
    }

    [Fact]
    public void A_converter_graph_without_the_score_output_is_refused_naming_it()
    {
        var raw = ModelProto.Parser.ParseFrom(OfficialOnnxConverter.Convert(penguins.Model, penguins.Inputs).Bytes);
        raw.Graph.Output.Remove(raw.Graph.Output.Single(o => o.Name == "Score.output"));

        var rewrite = () => OfficialGraphRewriter.Rewrite(raw.ToByteArray(), penguins.Inputs, ModelTask.Multiclass, ["a", "b", "c"], new Dictionary<string, (string, TextNormalizationTable)>(), new Dictionary<string, string>(), "");

        rewrite.Should().Throw<OnnxExportException>().WithMessage("*no output 'Score.output'*");
    }

    [Fact]
    public void A_graph_that_reads_a_column_the_model_does_not_take_is_refused()
    {
        // The converter would read a label column if it were fed one: the contract has no label input.
        var raw = ModelProto.Parser.ParseFrom(OfficialOnnxConverter.Convert(penguins.Model, penguins.Inputs).Bytes);
        raw.Graph.Input.Add(OnnxGraphBuilder.ValueInfo("species", TensorProto.Types.DataType.String, [null, 1]));
        raw.Graph.Node.Single(n => n.Output.Contains("PredictedLabel.output")).Input[0] = "species";

        var rewrite = () => OfficialGraphRewriter.Rewrite(raw.ToByteArray(), penguins.Inputs, ModelTask.Multiclass, ["a", "b", "c"], new Dictionary<string, (string, TextNormalizationTable)>(), new Dictionary<string, string>(), "");

        rewrite.Should().Throw<OnnxExportException>().WithMessage("*reads input 'species'*");
    }
}
