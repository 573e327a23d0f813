using Google.Protobuf;
using MLPipeline.Shared.Tensors.OnnxData;

namespace MLPipeline.Shared.Tensors;

/// <summary>
/// Finds a tensor of an ONNX file that keeps its data in another file (<c>data_location</c> EXTERNAL, or
/// <c>external_data</c> entries), anywhere ONNX allows one: initializers and sparse initializers of the graph and of
/// every subgraph, tensors in node attributes (Constant's <c>value</c>), functions and training graphs. ONNX Runtime
/// reads such data from a path the file names; for a model loaded from bytes, as the service and <c>import-onnx</c>
/// load them, that path is resolved against the process's working directory, so a crafted file could read any file
/// there (the service's settings, other models) into a tensor and answer it. Such a file is refused before ONNX Runtime
/// sees it.
/// </summary>
/// <remarks>
/// Read with Google.Protobuf through <c>onnx_data_locations.proto</c>, which declares only where tensors stand and where
/// their data lies: tensor data and every other field are skipped, not copied. Protobuf's own nesting limit (100
/// messages deep) bounds the walk, so a crafted file cannot overflow the stack.
/// </remarks>
public static class OnnxExternalData
{
    private static readonly MessageParser<ModelProto> Parser = ModelProto.Parser.WithDiscardUnknownFields(true);

    /// <summary>What keeps its data in another file (or why the bytes cannot be read as a model), or null when nothing does.</summary>
    public static string? Find(ReadOnlySpan<byte> model)
    {
        ModelProto parsed;
        try
        {
            parsed = Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException ex)
        {
            return $"it does not parse as an ONNX ModelProto ({ex.Message}).";
        }

        return Graph(parsed.Graph, "the graph")
            ?? parsed.TrainingInfo.Select(t => Graph(t.Initialization, "the training initialization graph") ?? Graph(t.Algorithm, "the training algorithm graph")).FirstOrDefault(p => p is not null)
            ?? parsed.Functions.Select(Function).FirstOrDefault(p => p is not null);
    }

    private static string? Function(FunctionProto function)
    {
        var where = $"function '{function.Name}'";
        return function.Node.Select(n => Node(n, where)).FirstOrDefault(p => p is not null)
            ?? function.AttributeProto.Select(a => Attribute(a, where)).FirstOrDefault(p => p is not null);
    }

    private static string? Graph(GraphProto? graph, string where) =>
        graph is null
            ? null
            : graph.Initializer.Select(t => Tensor(t, $"initializer '{t.Name}'", where)).FirstOrDefault(p => p is not null)
                ?? graph.SparseInitializer.Select(s => Sparse(s, "a sparse initializer", where)).FirstOrDefault(p => p is not null)
                ?? graph.Node.Select(n => Node(n, where)).FirstOrDefault(p => p is not null);

    private static string? Node(NodeProto node, string where)
    {
        var owner = $"node '{(node.Name.Length > 0 ? node.Name : node.OpType)}'" + Of(where);
        return node.Attribute.Select(a => Attribute(a, owner)).FirstOrDefault(p => p is not null);
    }

    private static string? Attribute(AttributeProto attribute, string owner)
    {
        var where = $"attribute '{attribute.Name}' of {owner}";
        return Tensor(attribute.T, null, where)
            ?? attribute.Tensors.Select(t => Tensor(t, null, where)).FirstOrDefault(p => p is not null)
            ?? Sparse(attribute.SparseTensor, null, where)
            ?? attribute.SparseTensors.Select(s => Sparse(s, null, where)).FirstOrDefault(p => p is not null)
            ?? Graph(attribute.G, $"graph '{attribute.G?.Name}' ({where})")
            ?? attribute.Graphs.Select(g => Graph(g, $"graph '{g.Name}' ({where})")).FirstOrDefault(p => p is not null);
    }

    private static string? Sparse(SparseTensorProto? sparse, string? role, string where) =>
        sparse is null
            ? null
            : Tensor(sparse.Values, role is null ? "the values" : $"the values of {role}", where)
                ?? Tensor(sparse.Indices, role is null ? "the indices" : $"the indices of {role}", where);

    /// <param name="tensor">Null where a message holds no tensor.</param>
    /// <param name="role">"initializer 'W'", ...; null for an attribute's value (the attribute names it).</param>
    private static string? Tensor(TensorProto? tensor, string? role, string where)
    {
        if (tensor is null || (tensor.DataLocation != TensorProto.Types.DataLocation.External && tensor.ExternalData.Count == 0))
        {
            return null;
        }

        var location = tensor.ExternalData.LastOrDefault(e => e.Key == "location")?.Value;
        var what = role is null ? where : role + Of(where);
        return $"{what} keeps its data in another file ('{location}'): a model is published and served as its one file and reads no other. "
            + "Save it with its data inside (onnx.save_model(model, path, save_as_external_data=False)).";
    }

    private static string Of(string where) => where == "the graph" ? "" : $" of {where}";
}
