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

    /// <summary>Per graph input, the name of each dimension the graph names (dim_param, e.g. "batch"), or "".</summary>
    private readonly string[][] _dimensionNames;

    private OnnxModel(InferenceSession session, OnnxGraph graph, LabelInfo label)
    {
        _session = session;
        Graph = graph;
        _inputNames = [.. graph.Inputs.Select(i => i.Name)];
        _dimensionNames = [.. graph.Inputs.Select(i => session.InputMetadata[i.Name].SymbolicDimensions.Select(d => d ?? "").ToArray())];
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

    /// <summary>
    /// Why the tensors do not fit together, or null: dimensions the graph gives one name (dim_param, such as the batch
    /// "N" of two inputs) must have one size, which ONNX Runtime does not check before an operator fails on them.
    /// </summary>
    /// <param name="culprit">The graph position of the input that disagrees with an earlier one.</param>
    public string? SharedDimensionProblem(IReadOnlyList<JsonTensor> inputs, out int culprit)
    {
        var seen = new Dictionary<string, (int Input, int Dimension)>(StringComparer.Ordinal);
        for (var i = 0; i < inputs.Count; i++)
        {
            var names = _dimensionNames[i];
            var shape = inputs[i].Shape;
            for (var d = 0; d < Math.Min(names.Length, shape.Length); d++)
            {
                if (names[d].Length == 0)
                {
                    continue;
                }

                if (!seen.TryGetValue(names[d], out var first))
                {
                    seen[names[d]] = (i, d);
                    continue;
                }

                var size = inputs[first.Input].Shape[first.Dimension];
                if (size != shape[d])
                {
                    culprit = i;
                    return $"input '{_inputNames[i]}' has shape {Shape(shape)} but input '{_inputNames[first.Input]}' has shape {Shape(inputs[first.Input].Shape)}: "
                        + $"the graph names dimension {d} of '{_inputNames[i]}' and dimension {first.Dimension} of '{_inputNames[first.Input]}' both '{names[d]}', so they must be the same size ({shape[d]} vs {size}).";
                }
            }
        }

        culprit = -1;
        return null;
    }

    /// <summary>Runs the graph on one tensor per input (in the graph's input order) and returns the outputs asked for.</summary>
    /// <exception cref="InvalidInputException">
    /// ONNX Runtime refused the values (e.g. a dimension the graph's operators cannot take). Its own message (node names,
    /// source files) is not for clients: it goes to the service's log, ONNX Runtime's logger writes it there.
    /// </exception>
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
        catch (OnnxRuntimeException)
        {
            var shapes = string.Join(", ", inputs.Select((t, i) => $"'{_inputNames[i]}' {Shape(t.Shape)}"));
            throw new InvalidInputException("inputs", $"the model cannot run on inputs of these shapes ({shapes}): an operator of its graph refused them. "
                + $"The graph takes {string.Join(", ", Graph.Inputs.Select(i => $"'{i.Name}' [{string.Join(", ", i.Shape)}]"))} (-1 = any size, but the graph may need sizes that fit together).");
        }
        finally
        {
            foreach (var value in values)
            {
                value?.Dispose();
            }
        }
    }

    private static string Shape(long[] shape) => $"[{string.Join(", ", shape)}]";

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
