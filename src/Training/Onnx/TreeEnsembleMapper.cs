using Microsoft.ML.Trainers.FastTree;
using MLPipeline.Training.Onnx.Proto;

namespace MLPipeline.Training.Onnx;

/// <summary>
/// FastTree / FastForest / LightGbm trees -> one ai.onnx.ml TreeEnsembleRegressor (opset 3, SUM, no base).
/// ML.NET sends x &lt;= threshold to the left child and sums leaf values in double before casting the sum to
/// float. The ensemble runs on a double copy of the features with double thresholds and leaf weights, so ONNX
/// Runtime compares and accumulates in double too (BRANCH_LEQ, left = true branch). Features never hold NaN
/// here (imputation runs first), so missing values follow the false branch as ML.NET's NaN &lt;= t does.
/// Categorical splits are not LEQ comparisons and are refused.
/// </summary>
internal static class TreeEnsembleMapper
{
    public sealed record TargetTrees(int Target, IReadOnlyList<RegressionTreeBase> Trees);

    public static IReadOnlyList<RegressionTreeBase> TreesOf(object parameters, string trainer) => parameters switch
    {
        TreeEnsembleModelParametersBasedOnRegressionTree r => r.TrainedTreeEnsemble.Trees,
        TreeEnsembleModelParametersBasedOnQuantileRegressionTree q => q.TrainedTreeEnsemble.Trees,
        _ => throw new OnnxExportException($"Trainer {trainer}: model parameters {parameters.GetType().Name} are not a tree ensemble the exporter knows."),
    };

    /// <summary>[N, F] float features -> [N, targets] float sums of leaf values.</summary>
    public static string Map(OnnxGraphBuilder graph, string features, IReadOnlyList<TargetTrees> targets, string trainer)
    {
        var treeIds = new List<long>();
        var nodeIds = new List<long>();
        var featureIds = new List<long>();
        var modes = new List<string>();
        var thresholds = new List<double>();
        var trueIds = new List<long>();
        var falseIds = new List<long>();
        var missingTracksTrue = new List<long>();
        var leafTreeIds = new List<long>();
        var leafNodeIds = new List<long>();
        var leafTargets = new List<long>();
        var leafWeights = new List<double>();
        var treeId = 0L;
        foreach (var target in targets)
        {
            foreach (var tree in target.Trees)
            {
                if (tree.CategoricalSplitFlags.Any(f => f))
                {
                    throw new OnnxExportException($"Trainer {trainer} uses categorical tree splits, which the ONNX exporter refuses (train without categorical splits to export).");
                }

                var internalNodes = tree.NumberOfNodes;
                long NodeId(int child) => child < 0 ? internalNodes + ~child : child;
                for (var node = 0; node < internalNodes; node++)
                {
                    treeIds.Add(treeId);
                    nodeIds.Add(node);
                    featureIds.Add(tree.NumericalSplitFeatureIndexes[node]);
                    modes.Add("BRANCH_LEQ");
                    thresholds.Add(tree.NumericalSplitThresholds[node]);
                    trueIds.Add(NodeId(tree.LeftChild[node]));
                    falseIds.Add(NodeId(tree.RightChild[node]));
                    missingTracksTrue.Add(0);
                }

                for (var leaf = 0; leaf < tree.NumberOfLeaves; leaf++)
                {
                    treeIds.Add(treeId);
                    nodeIds.Add(internalNodes + leaf);
                    featureIds.Add(0);
                    modes.Add("LEAF");
                    thresholds.Add(0);
                    trueIds.Add(0);
                    falseIds.Add(0);
                    missingTracksTrue.Add(0);
                    leafTreeIds.Add(treeId);
                    leafNodeIds.Add(internalNodes + leaf);
                    leafTargets.Add(target.Target);
                    leafWeights.Add(tree.LeafValues[leaf]);
                }

                treeId++;
            }
        }

        if (treeId == 0)
        {
            throw new OnnxExportException($"Trainer {trainer} produced no trees; there is nothing to export.");
        }

        var asDouble = graph.Node("Cast", [features], [OnnxAttributes.Int("to", (long)TensorProto.Types.DataType.Double)], output: "features_double");
        var targetCount = targets.Max(t => t.Target) + 1;
        var sums = graph.MlNode("TreeEnsembleRegressor", [asDouble],
        [
            OnnxAttributes.Int("n_targets", targetCount),
            OnnxAttributes.String("aggregate_function", "SUM"),
            OnnxAttributes.String("post_transform", "NONE"),
            OnnxAttributes.Ints("nodes_treeids", treeIds),
            OnnxAttributes.Ints("nodes_nodeids", nodeIds),
            OnnxAttributes.Ints("nodes_featureids", featureIds),
            OnnxAttributes.Strings("nodes_modes", modes),
            OnnxAttributes.DoubleTensor("nodes_values_as_tensor", thresholds.ToArray()),
            OnnxAttributes.Ints("nodes_truenodeids", trueIds),
            OnnxAttributes.Ints("nodes_falsenodeids", falseIds),
            OnnxAttributes.Ints("nodes_missing_value_tracks_true", missingTracksTrue),
            OnnxAttributes.Ints("target_treeids", leafTreeIds),
            OnnxAttributes.Ints("target_nodeids", leafNodeIds),
            OnnxAttributes.Ints("target_ids", leafTargets),
            OnnxAttributes.DoubleTensor("target_weights_as_tensor", leafWeights.ToArray()),
        ], output: "tree_sum");
        return graph.Declare(sums, TensorProto.Types.DataType.Float, null, targetCount);
    }
}
