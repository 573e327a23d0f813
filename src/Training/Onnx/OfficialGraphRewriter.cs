using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Onnx.Proto;

namespace MLPipeline.Training.Onnx;

/// <summary>
/// Makes Microsoft.ML.OnnxConverter's graph honour our contract (docs/onnx.md): the raw feature columns as
/// inputs in the manifest's order with shape [N, 1]; only <c>score</c> / <c>probability</c> / <c>label</c> /
/// <c>scores</c> as outputs, taken from the converter's <c>Score.output</c>, <c>Probability.output</c> and
/// <c>PredictedLabel.output</c>; every node, initializer and declaration no contract output needs is pruned
/// (the converter makes every intermediate column an output and declares shapes ONNX Runtime then disputes).
/// The converter's IR version and opsets are kept: the nodes added here exist at every opset it writes.
/// </summary>
internal static class OfficialGraphRewriter
{
    private const string ConverterSuffix = ".output";

    /// <param name="normalizedText">Text column -> the graph input the converter reads instead of its normalized text, and the normalization (see <see cref="TextFeaturizationRepair"/>).</param>
    public static ModelProto Rewrite(byte[] converted, IReadOnlyList<FeatureInput> inputs, ModelTask task, IReadOnlyList<string>? classes, IReadOnlyDictionary<string, (string Input, TextNormalizationTable Table)> normalizedText, IReadOnlyDictionary<string, string> metadata, string docString)
    {
        var model = ModelProto.Parser.ParseFrom(converted);
        var graph = model.Graph ?? throw new OnnxExportException("The converter wrote a model without a graph.");
        var opset = model.OpsetImport.FirstOrDefault(o => o.Domain.Length == 0)?.Version ?? throw new OnnxExportException("The converter's model imports no ai.onnx opset.");
        foreach (var (column, (input, table)) in normalizedText)
        {
            TextFeaturizationRepair.Apply(graph, opset, column, input, table);
        }

        SortTopologically(graph);
        CheckTreeSplits(graph);

        var taken = new HashSet<string>(graph.Input.Select(i => i.Name).Concat(graph.Initializer.Select(i => i.Name)).Concat(graph.Node.SelectMany(n => n.Output)), StringComparer.Ordinal);
        var converterOutputs = graph.Output.ToDictionary(o => o.Name, StringComparer.Ordinal);
        var added = new List<NodeProto>();
        var contract = new List<ValueInfoProto>();

        string Source(string column, TensorProto.Types.DataType type)
        {
            var name = column + ConverterSuffix;
            if (!converterOutputs.TryGetValue(name, out var output))
            {
                throw new OnnxExportException($"The converter's graph has no output '{name}' (ML.NET's {column} column); it has: {string.Join(", ", converterOutputs.Keys)}.");
            }

            var actual = (TensorProto.Types.DataType)(output.Type?.TensorType?.ElemType ?? 0);
            if (actual != type)
            {
                throw new OnnxExportException($"The converter's output '{name}' holds {actual}, the contract needs {type}.");
            }

            // The converter copies each column to its output with an Identity node: read the column itself.
            return graph.Node.FirstOrDefault(n => n.OpType == "Identity" && n.Output.Count == 1 && n.Output[0] == name) is { } copy ? copy.Input[0] : name;
        }

        void Output(string name, string source, TensorProto.Types.DataType type, params long?[] dims)
        {
            if (!taken.Add(name))
            {
                throw new OnnxExportException($"The converter's graph already has a value named '{name}', the name of a contract output.");
            }

            added.Add(dims.Length == 1
                ? Node("Reshape", [source, BatchShape(graph, taken)], name)
                : Node("Identity", [source], name));
            contract.Add(OnnxGraphBuilder.ValueInfo(name, type, dims));
        }

        switch (task)
        {
            case ModelTask.Regression:
                Output(PredictorMapper.Score, Source("Score", TensorProto.Types.DataType.Float), TensorProto.Types.DataType.Float, [null]);
                break;
            case ModelTask.Binary:
                Output(PredictorMapper.Score, Source("Score", TensorProto.Types.DataType.Float), TensorProto.Types.DataType.Float, [null]);
                Output(PredictorMapper.Probability, Source("Probability", TensorProto.Types.DataType.Float), TensorProto.Types.DataType.Float, [null]);
                Output(PredictorMapper.Label, Source("PredictedLabel", TensorProto.Types.DataType.Bool), TensorProto.Types.DataType.Bool, [null]);
                break;
            default:
                var count = classes?.Count ?? throw new OnnxExportException("A multiclass model needs its class labels.");
                Output(PredictorMapper.Scores, Source("Score", TensorProto.Types.DataType.Float), TensorProto.Types.DataType.Float, null, count);
                // The converter already maps the predicted key back to the class name (KeyToValue -> LabelEncoder).
                Output(PredictorMapper.Label, Source("PredictedLabel", TensorProto.Types.DataType.String), TensorProto.Types.DataType.String, [null]);
                break;
        }

        graph.Node.AddRange(added);
        graph.Output.Clear();
        graph.Output.AddRange(contract);
        Prune(graph);
        RewriteInputs(graph, inputs);
        // Declarations of intermediate values are optional, and the converter's are wrong for its one-hot
        // nodes ([N, K] declared, [N, 1, K] computed): ONNX Runtime infers them instead of warning.
        graph.ValueInfo.Clear();

        // The converter's text nodes (Tokenizer) come from ONNX Runtime's own domain, which it does not import.
        const string MicrosoftDomain = "com.microsoft";
        if (graph.Node.Any(n => n.Domain == MicrosoftDomain) && model.OpsetImport.All(o => o.Domain != MicrosoftDomain))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        }

        model.DocString = docString;
        model.MetadataProps.Clear();
        foreach (var (key, value) in metadata)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return model;
    }

    /// <summary>
    /// The converter writes a categorical tree split (LightGbm) as a split on feature -1. ONNX Runtime refuses such
    /// a file while it builds the session, and that failure can corrupt the process's memory (seen as a later crash
    /// in another session): the file is refused here, before ONNX Runtime sees it.
    /// </summary>
    private static void CheckTreeSplits(GraphProto graph)
    {
        foreach (var node in graph.Node.Where(n => n.OpType is "TreeEnsembleRegressor" or "TreeEnsembleClassifier"))
        {
            var features = node.Attribute.FirstOrDefault(a => a.Name == "nodes_featureids")?.Ints;
            var modes = node.Attribute.FirstOrDefault(a => a.Name == "nodes_modes")?.Strings;
            if (features is null || modes is null || features.Count != modes.Count)
            {
                throw new OnnxExportException($"The converter's {node.OpType} node '{node.Name}' has no consistent nodes_featureids / nodes_modes.");
            }

            var split = Enumerable.Range(0, features.Count).FirstOrDefault(i => features[i] < 0 && modes[i].ToStringUtf8() != "LEAF", -1);
            if (split >= 0)
            {
                throw new OnnxExportException($"The converter's {node.OpType} node '{node.Name}' splits on feature {features[split]} (tree node {split}): it cannot express a categorical split, and ONNX Runtime would refuse the file.");
            }
        }
    }

    /// <summary>
    /// Nodes in an order where each comes after the nodes it reads from (ONNX requires it; nodes added to the
    /// end may feed earlier ones); otherwise the order is kept.
    /// </summary>
    private static void SortTopologically(GraphProto graph)
    {
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < graph.Node.Count; i++)
        {
            foreach (var output in graph.Node[i].Output)
            {
                producer[output] = i;
            }
        }

        var order = new List<NodeProto>(graph.Node.Count);
        var state = new byte[graph.Node.Count]; // 0 new, 1 on the path, 2 placed
        void Visit(int index)
        {
            if (state[index] == 2)
            {
                return;
            }

            if (state[index] == 1)
            {
                throw new OnnxExportException($"The rewritten graph has a cycle through node '{graph.Node[index].Name}'.");
            }

            state[index] = 1;
            foreach (var input in graph.Node[index].Input)
            {
                if (producer.TryGetValue(input, out var before))
                {
                    Visit(before);
                }
            }

            state[index] = 2;
            order.Add(graph.Node[index]);
        }

        for (var i = 0; i < graph.Node.Count; i++)
        {
            Visit(i);
        }

        graph.Node.Clear();
        graph.Node.AddRange(order);
    }

    /// <summary>Keeps only what the graph's outputs need: nodes (the list is in topological order), initializers.</summary>
    private static void Prune(GraphProto graph)
    {
        var needed = new HashSet<string>(graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        var kept = new List<NodeProto>();
        for (var i = graph.Node.Count - 1; i >= 0; i--)
        {
            var node = graph.Node[i];
            if (node.Output.Any(needed.Contains))
            {
                kept.Add(node);
                needed.UnionWith(node.Input.Where(input => input.Length > 0));
            }
        }

        kept.Reverse();
        graph.Node.Clear();
        graph.Node.AddRange(kept);
        var initializers = graph.Initializer.Where(t => needed.Contains(t.Name)).ToList();
        graph.Initializer.Clear();
        graph.Initializer.AddRange(initializers);
    }

    /// <summary>One [N, 1] input per raw feature column, in the manifest's order; nothing else may be an input.</summary>
    private static void RewriteInputs(GraphProto graph, IReadOnlyList<FeatureInput> inputs)
    {
        var used = new HashSet<string>(graph.Node.SelectMany(n => n.Input), StringComparer.Ordinal);
        var declared = graph.Input.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var features = new HashSet<string>(inputs.Select(i => i.Name), StringComparer.Ordinal);
        var stray = declared.Keys.FirstOrDefault(name => !features.Contains(name) && used.Contains(name));
        if (stray is not null)
        {
            throw new OnnxExportException($"The converter's graph reads input '{stray}', which is not one of the model's feature columns.");
        }

        graph.Input.Clear();
        foreach (var input in inputs)
        {
            var type = input.IsNumeric ? TensorProto.Types.DataType.Float : TensorProto.Types.DataType.String;
            if (declared.TryGetValue(input.Name, out var original) && (TensorProto.Types.DataType)(original.Type?.TensorType?.ElemType ?? 0) != type)
            {
                throw new OnnxExportException($"The converter's input '{input.Name}' holds {(TensorProto.Types.DataType)(original.Type?.TensorType?.ElemType ?? 0)}, the column is {type}.");
            }

            graph.Input.Add(OnnxGraphBuilder.ValueInfo(input.Name, type, [null, 1]));
        }
    }

    private static NodeProto Node(string opType, IEnumerable<string> inputs, string output)
    {
        var node = new NodeProto { OpType = opType, Name = "mlpipeline_" + output, Domain = "" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    /// <summary>The shape [-1] for Reshape: [N, 1] -> [N]. One initializer shared by every output.</summary>
    private static string BatchShape(GraphProto graph, HashSet<string> taken)
    {
        const string Name = "mlpipeline_to_batch";
        if (graph.Initializer.Any(i => i.Name == Name))
        {
            return Name;
        }

        if (!taken.Add(Name))
        {
            throw new OnnxExportException($"The converter's graph already has a value named '{Name}'.");
        }

        var shape = new TensorProto { Name = Name, DataType = (int)TensorProto.Types.DataType.Int64 };
        shape.Dims.Add(1);
        shape.Int64Data.Add(-1);
        graph.Initializer.Add(shape);
        return Name;
    }
}
