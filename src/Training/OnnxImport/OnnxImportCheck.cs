using Microsoft.ML.OnnxRuntime;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Tensors;

namespace MLPipeline.Training.OnnxImport;

/// <summary>
/// Everything checked before an ONNX file is published: it parses, its operator sets are ones ONNX Runtime runs, it
/// loads in ONNX Runtime, its inputs and outputs are types the service can express, the sample runs, and class labels
/// (when given) match an output of as many classes. Each failure says why; nothing is published.
/// </summary>
internal static class OnnxImportCheck
{
    /// <exception cref="OnnxImportException">The first check that failed.</exception>
    public static OnnxGraph Run(byte[] onnx, string file, IReadOnlyList<string>? labels, string? samplePath, out string? classOutput)
    {
        var header = OnnxFileHeader.Read(onnx, file);
        if (header.OpsetProblem() is { } opsets)
        {
            throw new OnnxImportException($"{file}: {opsets}");
        }

        // Before ONNX Runtime sees the file: it would read such data from the working directory.
        if (OnnxExternalData.Find(onnx) is { } external)
        {
            throw new OnnxImportException($"{file}: {external}");
        }

        InferenceSession session;
        try
        {
            using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
            session = new InferenceSession(onnx, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new OnnxImportException($"{file}: ONNX Runtime {OrtEnv.Instance().GetVersionString()} cannot load it: {ex.Message}", ex);
        }

        using (session)
        {
            List<OnnxTensor> inputs, outputs;
            try
            {
                inputs = [.. session.InputMetadata.Select(i => OnnxTensorTypes.Describe(i.Key, i.Value, isInput: true))];
                outputs = [.. session.OutputMetadata.Select(o => OnnxTensorTypes.Describe(o.Key, o.Value, isInput: false))];
            }
            catch (NotSupportedException ex)
            {
                throw new OnnxImportException($"{file}: {ex.Message}", ex);
            }

            if (OnnxTensorTypes.EmptyGraphProblem(inputs, outputs) is { } empty)
            {
                throw new OnnxImportException($"{file}: {empty}");
            }

            var sample = samplePath is null ? OnnxSample.FromShapes(inputs, file) : OnnxSample.FromFile(samplePath, inputs);
            RunSample(session, OnnxSample.Tensors(sample, inputs, samplePath ?? "the sample built from the input shapes"), inputs, outputs, file);
            classOutput = labels is null ? null : ClassOutput(outputs, labels, file);
            return new OnnxGraph
            {
                Producer = header.Producer,
                IrVersion = header.IrVersion,
                Opsets = header.Opsets,
                Inputs = inputs,
                Outputs = outputs,
                SampleInput = sample,
            };
        }
    }

    private static void RunSample(InferenceSession session, IReadOnlyList<JsonTensor> tensors, IReadOnlyList<OnnxTensor> inputs, IReadOnlyList<OnnxTensor> outputs, string file)
    {
        var values = tensors.Select(OrtInputs.Create).ToArray();
        try
        {
            using var run = new RunOptions();
            using var results = session.Run(run, inputs.Select(i => i.Name).ToArray(), values, outputs.Select(o => o.Name).ToArray());
            for (var i = 0; i < results.Count; i++)
            {
                var expected = outputs[i];
                var kind = results[i].OnnxType;
                if (expected.IsMapSequence ? kind != OnnxValueType.ONNX_TYPE_SEQUENCE : kind != OnnxValueType.ONNX_TYPE_TENSOR)
                {
                    throw new OnnxImportException($"{file}: output '{expected.Name}' came back as {kind}, not the {expected.Kind} its graph declares.");
                }
            }
        }
        catch (OnnxRuntimeException ex)
        {
            throw new OnnxImportException($"{file}: the sample input does not run in ONNX Runtime: {ex.Message}", ex);
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    /// <summary>The output the class labels name: a ZipMap, or a float/double tensor whose last dimension has one score per class.</summary>
    private static string ClassOutput(IReadOnlyList<OnnxTensor> outputs, IReadOnlyList<string> labels, string file)
    {
        var found = outputs.FirstOrDefault(o => o.IsMapSequence)
            ?? outputs.FirstOrDefault(o => o.ElementType is "float" or "double" && o.Shape.Count >= 1 && o.Shape[^1] == labels.Count);
        return found?.Name ?? throw new OnnxImportException(
            $"{file}: the labels name {labels.Count} classes, but no output is a sequence of maps (ZipMap) or a float tensor whose last dimension is {labels.Count} "
            + $"(outputs: {string.Join(", ", outputs.Select(o => $"{o.Name} {o.ElementType}[{string.Join(",", o.Shape)}]"))}).");
    }
}
