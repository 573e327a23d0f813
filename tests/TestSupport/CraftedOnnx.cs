using System.Text;

namespace MLPipeline.TestSupport;

/// <summary>
/// Writes ONNX files field by field in protobuf's wire format (ONNX's published field numbers), so a test can craft
/// any file, also ones no exporter writes: initializers whose data lies in an external file, subgraphs, tensors in node
/// attributes, inputs declared twice, huge or negative dimensions, sequence outputs. Element types are ONNX's numbers
/// (<see cref="FloatType"/>, ...); a dimension is a long (dim_value) or a string (dim_param).
/// </summary>
public static class CraftedOnnx
{
    public const int FloatType = 1;
    public const int Uint8Type = 2;
    public const int Int64Type = 7;
    public const int StringType = 8;
    public const int BoolType = 9;

    /// <summary>A ModelProto: IR 8 and the given opsets (domain, version; "" is ai.onnx) around one graph.</summary>
    public static byte[] Model(ProtoMessage graph, params (string Domain, long Version)[] opsets)
    {
        var model = new ProtoMessage().Varint(1, 8).Text(2, "crafted").Message(7, graph);
        foreach (var (domain, version) in opsets.Length == 0 ? [("", 17L)] : opsets)
        {
            model.Message(8, new ProtoMessage().Text(1, domain).Varint(2, version));
        }

        return model.ToArray();
    }

    /// <summary>A GraphProto of nodes, initializers, inputs and outputs.</summary>
    public static ProtoMessage Graph(string name, IEnumerable<ProtoMessage> nodes, IEnumerable<ProtoMessage> inputs, IEnumerable<ProtoMessage> outputs, IEnumerable<ProtoMessage>? initializers = null)
    {
        var graph = new ProtoMessage();
        foreach (var node in nodes)
        {
            graph.Message(1, node);
        }

        graph.Text(2, name);
        foreach (var initializer in initializers ?? [])
        {
            graph.Message(5, initializer);
        }

        foreach (var input in inputs)
        {
            graph.Message(11, input);
        }

        foreach (var output in outputs)
        {
            graph.Message(12, output);
        }

        return graph;
    }

    /// <summary>A ValueInfoProto of a tensor; each dimension a long (dim_value) or a string (dim_param).</summary>
    public static ProtoMessage Tensor(string name, int elementType, params object[] dims) =>
        new ProtoMessage().Text(1, name).Message(2, new ProtoMessage().Message(1, TensorType(elementType, dims)));

    /// <summary>A ValueInfoProto of a sequence of tensors (what SequenceConstruct makes).</summary>
    public static ProtoMessage SequenceOfTensors(string name, int elementType, params object[] dims) =>
        new ProtoMessage().Text(1, name).Message(2, new ProtoMessage().Message(4, new ProtoMessage().Message(1, new ProtoMessage().Message(1, TensorType(elementType, dims)))));

    public static ProtoMessage Node(string opType, string[] inputs, string[] outputs, IEnumerable<ProtoMessage>? attributes = null, string domain = "")
    {
        var node = new ProtoMessage();
        foreach (var input in inputs)
        {
            node.Text(1, input);
        }

        foreach (var output in outputs)
        {
            node.Text(2, output);
        }

        node.Text(3, opType + "_" + outputs.FirstOrDefault()).Text(4, opType);
        foreach (var attribute in attributes ?? [])
        {
            node.Message(5, attribute);
        }

        return domain.Length == 0 ? node : node.Text(7, domain);
    }

    public static ProtoMessage IntAttribute(string name, long value) => new ProtoMessage().Text(1, name).Varint(3, value).Varint(20, 2);

    public static ProtoMessage TensorAttribute(string name, ProtoMessage tensor) => new ProtoMessage().Text(1, name).Message(5, tensor).Varint(20, 4);

    public static ProtoMessage GraphAttribute(string name, ProtoMessage graph) => new ProtoMessage().Text(1, name).Message(6, graph).Varint(20, 5);

    /// <summary>A TensorProto of floats held in the file.</summary>
    public static ProtoMessage Floats(string name, float[] values, params long[] dims)
    {
        var tensor = new ProtoMessage();
        foreach (var dim in dims)
        {
            tensor.Varint(1, dim);
        }

        tensor.Varint(2, FloatType);
        foreach (var value in values)
        {
            tensor.Fixed32(4, BitConverter.SingleToInt32Bits(value));
        }

        return tensor.Text(8, name);
    }

    /// <summary>
    /// A TensorProto whose data ONNX Runtime would read from another file (data_location EXTERNAL): <paramref name="length"/>
    /// bytes of <paramref name="location"/> from its start, as a uint8 vector.
    /// </summary>
    public static ProtoMessage External(string name, string location, long length)
    {
        var tensor = new ProtoMessage().Varint(1, length).Varint(2, Uint8Type).Text(8, name);
        tensor.Message(13, new ProtoMessage().Text(1, "location").Text(2, location));
        tensor.Message(13, new ProtoMessage().Text(1, "offset").Text(2, "0"));
        tensor.Message(13, new ProtoMessage().Text(1, "length").Text(2, length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return tensor.Varint(14, 1);
    }

    /// <summary>y = Identity(x) over float [N, 1]: the smallest graph ONNX Runtime loads and runs.</summary>
    public static byte[] Identity() => Model(Graph("identity", [Node("Identity", ["x"], ["y"])], [Tensor("x", FloatType, "N", 1L)], [Tensor("y", FloatType, "N", 1L)]));

    private static ProtoMessage TensorType(int elementType, object[] dims)
    {
        var shape = new ProtoMessage();
        foreach (var dim in dims)
        {
            shape.Message(1, dim is string parameter ? new ProtoMessage().Text(2, parameter) : new ProtoMessage().Varint(1, Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture)));
        }

        return new ProtoMessage().Varint(1, elementType).Message(2, shape);
    }

    /// <summary>One protobuf message, its fields appended in the order written.</summary>
    public sealed class ProtoMessage
    {
        private readonly List<byte> _bytes = [];

        public ProtoMessage Varint(int field, long value)
        {
            Tag(field, 0);
            Raw((ulong)value);
            return this;
        }

        public ProtoMessage Fixed32(int field, int value)
        {
            Tag(field, 5);
            _bytes.AddRange(BitConverter.GetBytes(value));
            return this;
        }

        public ProtoMessage Bytes(int field, byte[] value)
        {
            Tag(field, 2);
            Raw((ulong)value.Length);
            _bytes.AddRange(value);
            return this;
        }

        public ProtoMessage Text(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public ProtoMessage Message(int field, ProtoMessage value) => Bytes(field, value.ToArray());

        public byte[] ToArray() => [.. _bytes];

        private void Tag(int field, int wireType) => Raw(((ulong)field << 3) | (uint)wireType);

        private void Raw(ulong value)
        {
            while (value >= 0x80)
            {
                _bytes.Add((byte)(value | 0x80));
                value >>= 7;
            }

            _bytes.Add((byte)value);
        }
    }
}
