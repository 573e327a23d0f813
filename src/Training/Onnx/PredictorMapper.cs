using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Onnx.Proto;

namespace MLPipeline.Training.Onnx;

/// <summary>
/// The predictor -> the graph's outputs (docs/onnx.md): regression <c>score</c> [N]; binary <c>score</c>,
/// <c>probability</c> [N] and <c>label</c> [N] bool; multiclass <c>scores</c> [N, K] and <c>label</c> [N] string.
/// </summary>
internal static class PredictorMapper
{
    public const string Score = "score";
    public const string Scores = "scores";
    public const string Probability = "probability";
    public const string Label = "label";

    public static void Map(OnnxGraphBuilder graph, string features, int width, ModelAnatomy model, ModelTask task, IReadOnlyList<string>? classes, string trainer)
    {
        switch (task)
        {
            case ModelTask.Regression:
                MapRegression(graph, features, width, model.ModelParameters, trainer);
                break;
            case ModelTask.Binary:
                MapBinary(graph, features, width, model, trainer);
                break;
            default:
                MapMulticlass(graph, features, width, model.ModelParameters, classes ?? throw new OnnxExportException("A multiclass model needs its class labels."), trainer);
                break;
        }
    }

    private static void MapRegression(OnnxGraphBuilder graph, string features, int width, object parameters, string trainer)
    {
        var raw = parameters switch
        {
            PoissonRegressionModelParameters poisson => graph.Node("Exp", [LinearMapper.Map(graph, features, poisson, width)]),
            LinearRegressionModelParameters linear => LinearMapper.Map(graph, features, linear, width),
            FastForestRegressionModelParameters forest => graph.Node("Div", [
                TreeEnsembleMapper.Map(graph, features, [new(0, TreeEnsembleMapper.TreesOf(forest, trainer))], trainer),
                graph.Initializer("tree_count", [(float)forest.TrainedTreeEnsemble.Trees.Count], 1)]),
            _ => TreeEnsembleMapper.Map(graph, features, [new(0, TreeEnsembleMapper.TreesOf(parameters, trainer))], trainer),
        };
        Flatten(graph, raw, Score);
        graph.AddOutput(Score, TensorProto.Types.DataType.Float, [null]);
    }

    private static void MapBinary(OnnxGraphBuilder graph, string features, int width, ModelAnatomy model, string trainer)
    {
        if (!CalibratedModel.TrySplit(model.ModelParameters, out var subModel, out var calibrator) || calibrator is null)
        {
            throw new OnnxExportException($"Trainer {trainer}: binary model {model.ModelParameters.GetType().Name} has no Platt calibrator; the exporter supports Platt-calibrated binary models only.");
        }

        var raw = RawBinaryScore(graph, features, width, subModel, trainer);
        var score = Flatten(graph, raw, Score);
        PlattMapper.Map(graph, score, [calibrator.Slope], [calibrator.Offset], Probability);

        var (threshold, column) = InternalMembers.BinaryThreshold(model.Predictor);
        if (column != "Score")
        {
            throw new OnnxExportException($"Trainer {trainer}: the predicted label thresholds column '{column}', the exporter supports 'Score' only.");
        }

        graph.Node("Greater", [score, graph.Initializer("label_threshold", [threshold], 1)], output: Label);
        graph.AddOutput(Score, TensorProto.Types.DataType.Float, [null]);
        graph.AddOutput(Probability, TensorProto.Types.DataType.Float, [null]);
        graph.AddOutput(Label, TensorProto.Types.DataType.Bool, [null]);
    }

    private static string RawBinaryScore(OnnxGraphBuilder graph, string features, int width, object subModel, string trainer) => subModel switch
    {
        LinearBinaryModelParameters linear => LinearMapper.Map(graph, features, linear, width),
        _ => TreeEnsembleMapper.Map(graph, features, [new(0, TreeEnsembleMapper.TreesOf(subModel, trainer))], trainer),
    };

    private static void MapMulticlass(OnnxGraphBuilder graph, string features, int width, object parameters, IReadOnlyList<string> classes, string trainer)
    {
        var scores = parameters switch
        {
            MaximumEntropyModelParameters maxEnt => graph.Node("Softmax", [LinearMapper.Map(graph, features, maxEnt, width)], [OnnxAttributes.Int("axis", 1)]),
            LinearMulticlassModelParameters linear => LinearMapper.Map(graph, features, linear, width),
            OneVersusAllModelParameters ova => OneVersusAll(graph, features, ova, trainer),
            _ => throw new OnnxExportException($"Trainer {trainer}: multiclass model {parameters.GetType().Name} cannot be exported to ONNX."),
        };

        graph.Node("Identity", [scores], output: Scores);
        var best = graph.Node("ArgMax", [Scores], [OnnxAttributes.Int("axis", 1), OnnxAttributes.Int("keepdims", 0), OnnxAttributes.Int("select_last_index", 0)]);
        graph.Node("Gather", [graph.Initializer("class_names", classes.ToArray(), classes.Count), best], [OnnxAttributes.Int("axis", 0)], output: Label);
        graph.AddOutput(Scores, TensorProto.Types.DataType.Float, null, classes.Count);
        graph.AddOutput(Label, TensorProto.Types.DataType.String, [null]);
    }

    /// <summary>
    /// One-versus-all over calibrated tree models (FastTree OVA, LightGbm multiclass): all classes' trees in one
    /// ensemble with one target per class, then the model's own combination: Platt per class and normalization
    /// to sum one (clamping negatives, summing in double as ML.NET does), softmax of the raw scores, or raw.
    /// </summary>
    private static string OneVersusAll(OnnxGraphBuilder graph, string features, OneVersusAllModelParameters ova, string trainer)
    {
        var subModels = InternalMembers.OneVersusAllSubModels(ova);
        var formula = InternalMembers.OneVersusAllFormula(ova);
        var targets = new List<TreeEnsembleMapper.TargetTrees>();
        var slopes = new double[subModels.Count];
        var offsets = new double[subModels.Count];
        for (var k = 0; k < subModels.Count; k++)
        {
            CalibratedModel.TrySplit(subModels[k], out var scorer, out var calibrator);
            if (formula == InternalMembers.OvaFormula.ProbabilityNormalization)
            {
                var platt = calibrator ?? throw new OnnxExportException($"Trainer {trainer}: one-versus-all class {k} has no Platt calibrator.");
                slopes[k] = platt.Slope;
                offsets[k] = platt.Offset;
            }

            targets.Add(new(k, TreeEnsembleMapper.TreesOf(scorer, trainer)));
        }

        var raw = TreeEnsembleMapper.Map(graph, features, targets, trainer);
        switch (formula)
        {
            case InternalMembers.OvaFormula.Softmax:
                return graph.Node("Softmax", [raw], [OnnxAttributes.Int("axis", 1)]);
            case InternalMembers.OvaFormula.Raw:
                return raw;
            default:
                var probabilities = PlattMapper.Map(graph, raw, slopes, offsets, "class_probabilities");
                var asDouble = graph.Node("Cast", [probabilities], [OnnxAttributes.Int("to", (long)TensorProto.Types.DataType.Double)]);
                var clamped = graph.Node("Relu", [asDouble]);
                var sum = graph.Node("ReduceSum", [clamped, graph.Initializer("class_axis", [1L], 1)], [OnnxAttributes.Int("keepdims", 1)]);
                // All-zero probabilities stay zero, as in ML.NET (which divides only when the sum is positive).
                var divisor = graph.Node("Max", [sum, graph.Initializer("smallest_sum", [1e-300], 1)]);
                var normalized = graph.Node("Div", [clamped, divisor]);
                return graph.Node("Cast", [normalized], [OnnxAttributes.Int("to", (long)TensorProto.Types.DataType.Float)]);
        }
    }

    /// <summary>[N, 1] -> [N].</summary>
    private static string Flatten(OnnxGraphBuilder graph, string column, string output) =>
        graph.Node("Reshape", [column, graph.Initializer("to_batch", [-1L], 1)], output: output);
}
