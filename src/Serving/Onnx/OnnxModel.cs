using System.Text.Json;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML.OnnxRuntime;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Tensors;

namespace MLPipeline.Serving.Onnx;

/// <summary>
/// An imported ONNX model's engine: one <see cref="InferenceSession"/> per loaded version, shared by every request
/// (ONNX Runtime's Run is thread-safe), checked against the manifest's graph when it loads. Requests hand it tensors
/// read from JSON and write the answer from the values it returns; only their answer buffers are pooled.
/// </summary>
public sealed class OnnxModel : IDisposable
{
    private static readonly DefaultObjectPoolProvider PoolProvider = new() { MaximumRetained = Environment.ProcessorCount * 4 };
    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly ObjectPool<ResponseBuffer> _responses = PoolProvider.Create<ResponseBuffer>();
    private readonly string[] _inputNames;

    private OnnxModel(InferenceSession session, OnnxGraph graph, LabelInfo label)
    {
        _session = session;
        Graph = graph;
        _inputNames = [.. graph.Inputs.Select(i => i.Name)];
        AllOutputs = [.. graph.Outputs.Select(o => o.Name)];
        if (label.Classes is { Count: > 0 } classes && graph.Outputs.FirstOrDefault(o => o.Name == label.Column) is { } scores)
        {
            ClassOutput = scores;
            ClassNames = [.. classes];
            Classes = [.. classes.Select(c => JsonEncodedText.Encode(c))];
        }
    }

    public OnnxGraph Graph { get; }

    /// <summary>Every output name, in the graph's order.</summary>
    public string[] AllOutputs { get; }

    /// <summary>The output holding one score per class (a probability vector or a ZipMap), when labels are known.</summary>
    public OnnxTensor? ClassOutput { get; }

    /// <summary>The class names, pre-encoded, in the order of <see cref="ClassOutput"/>.</summary>
    public JsonEncodedText[] Classes { get; } = [];

    /// <summary>The class names as they are.</summary>
    public string[] ClassNames { get; } = [];

    /// <summary>Loads model.onnx and checks that its inputs and outputs are the ones the manifest describes.</summary>
    /// <exception cref="InvalidDataException">The graph differs from the manifest.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime cannot load the file.</exception>
    public static OnnxModel Load(byte[] onnx, ModelManifest manifest, OnnxRuntimeOptions settings)
    {
        var graph = manifest.Graph ?? throw new InvalidDataException("the manifest of an onnx model has no graph.");
        if (OnnxTensorTypes.EmptyGraphProblem(graph.Inputs, graph.Outputs) is { } empty)
        {
            throw new InvalidDataException(empty);
        }

        using var options = settings.CreateSessionOptions();
        var session = OnnxSessions.Create(onnx, options);
        try
        {
            Check("input", graph.Inputs, session.InputMetadata, isInput: true);
            Check("output", graph.Outputs, session.OutputMetadata, isInput: false);
            return new OnnxModel(session, graph, manifest.Label);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Runs the graph on one tensor per input (in the graph's input order) and returns the outputs asked for.</summary>
    /// <exception cref="InvalidInputException">ONNX Runtime refused the values (e.g. a dimension the graph's operators cannot take).</exception>
    public IDisposableReadOnlyCollection<OrtValue> Run(IReadOnlyList<JsonTensor> inputs, string[] outputs)
    {
        var values = new OrtValue[inputs.Count];
        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = OrtInputs.Create(inputs[i]);
            }

            return _session.Run(_run, _inputNames, values, outputs);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidInputException("inputs", $"ONNX Runtime cannot run the model on these values: {ex.Message}");
        }
        finally
        {
            foreach (var value in values)
            {
                value?.Dispose();
            }
        }
    }

    internal ResponseBuffer RentResponse() => _responses.Get();

    internal void ReturnResponse(ResponseBuffer response) => _responses.Return(response);

    public void Dispose()
    {
        _run.Dispose();
        _session.Dispose();
    }

    private static void Check(string role, IReadOnlyList<OnnxTensor> described, IReadOnlyDictionary<string, NodeMetadata> actual, bool isInput)
    {
        if (described.Count != actual.Count)
        {
            throw new InvalidDataException($"model.onnx has {actual.Count} {role}s; the manifest describes {described.Count}.");
        }

        foreach (var tensor in described)
        {
            if (!actual.TryGetValue(tensor.Name, out var metadata))
            {
                throw new InvalidDataException($"model.onnx has no {role} '{tensor.Name}' (it has {string.Join(", ", actual.Keys)}).");
            }

            var found = OnnxTensorTypes.Describe(tensor.Name, metadata, isInput);
            if (found.Kind != tensor.Kind || found.ElementType != tensor.ElementType || found.Shape.Count != tensor.Shape.Count)
            {
                throw new InvalidDataException($"model.onnx {role} '{tensor.Name}' is {found.Kind} {found.ElementType} of rank {found.Shape.Count}; the manifest says {tensor.Kind} {tensor.ElementType} of rank {tensor.Shape.Count}.");
            }
        }
    }
}
