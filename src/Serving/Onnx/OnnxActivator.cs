using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Protocols;
using MLPipeline.Serving.Sources;
using MLPipeline.Shared.Tensors;

namespace MLPipeline.Serving.Onnx;

/// <summary>
/// The ONNX half of activation (the hash was checked by <see cref="ModelActivator"/>): load the session, check its
/// graph against the manifest, and answer the manifest's sample input (warm-up) through the instances answer.
/// </summary>
internal static class OnnxActivator
{
    /// <exception cref="ModelSourceException">The file does not load, differs from its manifest, or its sample does not run.</exception>
    public static ModelGeneration Activate(string name, ModelPackage package, OnnxRuntimeOptions settings)
    {
        OnnxModel? model = null;
        try
        {
            var manifest = package.Manifest ?? OnnxManifestSynthesizer.Describe(name, package.ModelBytes);
            model = OnnxModel.Load(package.ModelBytes, manifest, settings);
            var generation = new ModelGeneration(model, manifest, new ModelOrigin(package.Source, package.ETag, package.Alias, package.ModelBytes.LongLength));
            WarmUp(name, generation, model);
            return generation;
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or InvalidDataException or InvalidInputException or TensorInputException)
        {
            model?.Dispose();
            throw new ModelSourceException($"{package.Source}: not a servable ONNX model ({ex.Message}).", ex);
        }
    }

    private static void WarmUp(string name, ModelGeneration generation, OnnxModel model)
    {
        var sample = model.Graph.SampleInput;
        var tensors = model.Graph.Inputs.Select(i => JsonTensor.FromNested(sample.GetProperty(i.Name), i.ElementType, $"the manifest's sample input '{i.Name}'")).ToList();
        using var results = model.Run(tensors, model.AllOutputs);
        using var buffer = new ResponseBuffer();
        var rows = tensors[0].Shape.Length > 0 ? (int)tensors[0].Shape[0] : 1;
        OnnxInstancesProtocol.Write(buffer.Start(), name, generation.Version, model, results, rows, "warm-up");
    }
}
