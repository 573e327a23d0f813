using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Tensors;

namespace MLPipeline.Serving.Onnx;

/// <summary>
/// Describes a bare .onnx file that came without a manifest (a direct source): its graph from ONNX Runtime's metadata,
/// the version from the content hash, a warm-up sample of zeros in the inputs' shapes. No class labels: import the file
/// with <c>mlpipeline import-onnx --labels</c> for answers by class name.
/// </summary>
internal static class OnnxManifestSynthesizer
{
    /// <exception cref="InvalidDataException">The file does not load or holds a type the service cannot express.</exception>
    public static ModelManifest Describe(string name, byte[] onnx)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(onnx));
        using var session = OnnxSessions.Create(onnx);
        List<OnnxTensor> inputs, outputs;
        JsonElement sample;
        try
        {
            inputs = [.. session.InputMetadata.Select(i => OnnxTensorTypes.Describe(i.Key, i.Value, isInput: true))];
            outputs = [.. session.OutputMetadata.Select(o => OnnxTensorTypes.Describe(o.Key, o.Value, isInput: false))];
            if (OnnxTensorTypes.EmptyGraphProblem(inputs, outputs) is { } empty)
            {
                throw new InvalidDataException(empty);
            }

            sample = ZeroSample.Of(inputs, "import it with mlpipeline import-onnx --sample");
        }
        catch (NotSupportedException ex)
        {
            throw new InvalidDataException(ex.Message, ex);
        }

        var metadata = session.ModelMetadata;
        return new ModelManifest
        {
            Format = ModelFormat.Onnx,
            Name = name,
            Version = "sha256-" + hash[..12],
            Task = ModelTask.Regression,
            CreatedUtc = DateTimeOffset.UtcNow,
            Inputs = [],
            Outputs = [.. outputs.Select(o => new OutputColumn(o.Name, o.ElementType))],
            Label = new LabelInfo(outputs[0].Name, null),
            Trainer = new TrainerDescription(string.IsNullOrEmpty(metadata.ProducerName) ? "unknown" : metadata.ProducerName, null),
            Metrics = new ModelMetrics { MainMetric = "none", Test = new Dictionary<string, double>() },
            TrainingData = new TrainingDataInfo("", 0, "", 0, 0),
            Artifacts = new Dictionary<string, ArtifactInfo> { [ModelManifest.OnnxFileName] = new(hash, onnx.LongLength) },
            Lineage = new LineageInfo(null, null, "", Environment.Version.ToString(), null),
            SampleInput = new Dictionary<string, string?>(),
            Graph = new OnnxGraph
            {
                Producer = new OnnxProducer(string.IsNullOrEmpty(metadata.ProducerName) ? "unknown" : metadata.ProducerName, null),
                IrVersion = 1,
                Opsets = new Dictionary<string, long>(),
                Inputs = inputs,
                Outputs = outputs,
                SampleInput = sample,
            },
        };
    }
}
