using Google.Protobuf;
using MLPipeline.Training.Onnx.Proto;

namespace MLPipeline.Training.Onnx;

/// <summary>
/// Builds one ONNX graph: unique value names, typed initializers, nodes, and inputs/outputs whose batch
/// dimension is the named parameter "N" (never -1), at IR 8, opset 17 and ai.onnx.ml 3.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    public const long IrVersion = 8;
    public const long DefaultOpset = 17;
    public const long MlOpset = 3;
    public const string MlDomain = "ai.onnx.ml";
    public const string BatchDimension = "N";

    private readonly GraphProto _graph = new() { Name = "mlpipeline" };
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public string AddInput(string name, TensorProto.Types.DataType type, params long?[] dims)
    {
        Reserve(name);
        _graph.Input.Add(ValueInfo(name, type, dims));
        return name;
    }

    public void AddOutput(string name, TensorProto.Types.DataType type, params long?[] dims) =>
        _graph.Output.Add(ValueInfo(name, type, dims));

    /// <summary>
    /// Declares an intermediate value's type and shape: for ai.onnx.ml operators, whose outputs the ONNX
    /// checker's shape inference cannot derive, so a strict check still sees a fully typed graph.
    /// </summary>
    public string Declare(string name, TensorProto.Types.DataType type, params long?[] dims)
    {
        _graph.ValueInfo.Add(ValueInfo(name, type, dims));
        return name;
    }

    public string Initializer(string hint, float[] values, params long[] dims)
    {
        var tensor = NewTensor(hint, TensorProto.Types.DataType.Float, dims);
        tensor.FloatData.AddRange(values);
        return Add(tensor);
    }

    public string Initializer(string hint, double[] values, params long[] dims)
    {
        var tensor = NewTensor(hint, TensorProto.Types.DataType.Double, dims);
        tensor.DoubleData.AddRange(values);
        return Add(tensor);
    }

    public string Initializer(string hint, long[] values, params long[] dims)
    {
        var tensor = NewTensor(hint, TensorProto.Types.DataType.Int64, dims);
        tensor.Int64Data.AddRange(values);
        return Add(tensor);
    }

    public string Initializer(string hint, string[] values, params long[] dims)
    {
        var tensor = NewTensor(hint, TensorProto.Types.DataType.String, dims);
        tensor.StringData.AddRange(values.Select(ByteString.CopyFromUtf8));
        return Add(tensor);
    }

    /// <summary>Adds a node with one output; returns the output's name (exactly <paramref name="output"/> when given).</summary>
    public string Node(string opType, IEnumerable<string> inputs, IEnumerable<AttributeProto>? attributes = null, string? domain = null, string? output = null)
    {
        var name = output ?? Unique(opType);
        Reserve(name);
        var node = new NodeProto { OpType = opType, Name = Unique(opType + "_node"), Domain = domain ?? "" };
        node.Input.AddRange(inputs);
        node.Output.Add(name);
        if (attributes is not null)
        {
            node.Attribute.AddRange(attributes);
        }

        _names.Add(node.Name);
        _graph.Node.Add(node);
        return name;
    }

    public string MlNode(string opType, IEnumerable<string> inputs, IEnumerable<AttributeProto>? attributes = null, string? output = null) =>
        Node(opType, inputs, attributes, MlDomain, output);

    public ModelProto Build(string docString, IReadOnlyDictionary<string, string> metadata)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "mlpipeline",
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0",
            Domain = "mlpipeline",
            ModelVersion = 1,
            DocString = docString,
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = DefaultOpset });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = MlDomain, Version = MlOpset });
        foreach (var (key, value) in metadata)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return model;
    }

    public static IReadOnlyDictionary<string, long> Opsets { get; } = new Dictionary<string, long>
    {
        ["ai.onnx"] = DefaultOpset,
        [MlDomain] = MlOpset,
    };

    private string Add(TensorProto tensor)
    {
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    private TensorProto NewTensor(string hint, TensorProto.Types.DataType type, long[] dims)
    {
        var tensor = new TensorProto { Name = Unique(hint), DataType = (int)type };
        tensor.Dims.AddRange(dims);
        Reserve(tensor.Name);
        return tensor;
    }

    private string Unique(string hint)
    {
        if (!_names.Contains(hint))
        {
            return hint;
        }

        for (var i = 1; ; i++)
        {
            var candidate = $"{hint}_{i}";
            if (!_names.Contains(candidate))
            {
                return candidate;
            }
        }
    }

    private void Reserve(string name)
    {
        if (!_names.Add(name))
        {
            throw new InvalidOperationException($"ONNX value name '{name}' is used twice.");
        }
    }

    /// <summary>A tensor type whose null dimensions are the batch dimension "N".</summary>
    internal static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, long?[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim is { } size ? new TensorShapeProto.Types.Dimension { DimValue = size } : new TensorShapeProto.Types.Dimension { DimParam = BatchDimension });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
