using Google.Protobuf;
using MLPipeline.Shared.Manifest;
using MLPipeline.Training.Onnx.Proto;

namespace MLPipeline.Training.OnnxImport;

/// <summary>
/// What the ONNX file says about itself and ONNX Runtime does not expose: the producer, the IR version and the
/// operator sets it imports, read from the ModelProto's own fields.
/// </summary>
internal sealed record OnnxFileHeader(OnnxProducer Producer, long IrVersion, IReadOnlyDictionary<string, long> Opsets)
{
    /// <summary>Operator set domains ONNX Runtime implements (a graph needing another one holds custom operators).</summary>
    private static readonly HashSet<string> KnownDomains = ["ai.onnx", "ai.onnx.ml", "com.microsoft", "ai.onnx.preview.training"];

    /// <summary>The oldest ai.onnx opset ONNX Runtime guarantees to run.</summary>
    public const long MinimumOnnxOpset = 7;

    /// <exception cref="OnnxImportException">The bytes are not an ONNX model.</exception>
    public static OnnxFileHeader Read(byte[] bytes, string file)
    {
        if (bytes.Length == 0)
        {
            throw new OnnxImportException($"{file} is not an ONNX model: the file is empty.");
        }

        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new OnnxImportException($"{file} is not an ONNX model: it does not parse as an ONNX ModelProto ({ex.Message}).", ex);
        }

        if (model.Graph is null || model.IrVersion <= 0 || model.OpsetImport.Count == 0)
        {
            throw new OnnxImportException($"{file} is not an ONNX model: it has no graph, IR version or operator set import.");
        }

        var opsets = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var opset in model.OpsetImport)
        {
            opsets[opset.Domain.Length == 0 ? "ai.onnx" : opset.Domain] = opset.Version;
        }

        var producer = new OnnxProducer(model.ProducerName.Length == 0 ? "unknown" : model.ProducerName, model.ProducerVersion.Length == 0 ? null : model.ProducerVersion);
        return new OnnxFileHeader(producer, model.IrVersion, opsets);
    }

    /// <summary>Why an operator set is one ONNX Runtime does not run, or null (a too recent version fails the load itself).</summary>
    public string? OpsetProblem()
    {
        foreach (var (domain, version) in Opsets)
        {
            if (!KnownDomains.Contains(domain))
            {
                return $"it imports operator set domain '{domain}' (version {version}), which ONNX Runtime does not implement (custom operators); supported domains: {string.Join(", ", KnownDomains)}.";
            }

            if (domain == "ai.onnx" && version < MinimumOnnxOpset)
            {
                return $"it uses ai.onnx opset {version}; ONNX Runtime supports opset {MinimumOnnxOpset} and later. Export it again with a newer opset.";
            }
        }

        return null;
    }
}
