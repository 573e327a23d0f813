using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Training.Onnx;

/// <summary>What the exporter needs to know about a saved console model besides the model itself.</summary>
public sealed record OnnxExportRequest(
    ITransformer Model,
    IReadOnlyList<FeatureInput> Inputs,
    ModelTask Task,
    IReadOnlyList<string>? Classes,
    string? Trainer,
    string ModelName);

/// <summary>
/// Converts a console model (FeaturePipeline + one of TrainerCatalog's trainers) into an ONNX graph from the
/// trained parameters ML.NET exposes. Throws <see cref="OnnxExportException"/> naming the step that cannot
/// be exported.
/// </summary>
public static class OnnxExporter
{
    public static byte[] Export(OnnxExportRequest request)
    {
        var inputSchema = InputSchema(request.Inputs);
        var anatomy = ModelAnatomy.Of(request.Model, request.Inputs, inputSchema);
        var trainer = request.Trainer ?? TrainerNames.Of(anatomy.ModelParameters);
        var classes = request.Task == ModelTask.Multiclass ? ModelClassOrder(anatomy.OutputSchema, request.Classes) : null;

        var graph = new OnnxGraphBuilder();
        var inputs = FeaturizationMapper.AddInputs(graph, request.Inputs);
        var (features, width) = FeaturizationMapper.Map(graph, anatomy, request.Inputs, inputs);
        PredictorMapper.Map(graph, features, width, anatomy, request.Task, classes, trainer);

        return graph.Build($"{request.ModelName}: {request.Task} model trained with {trainer}, exported by mlpipeline.", Metadata(request, trainer, classes, Name)).ToByteArray();
    }

    /// <summary>The value of the <c>mlpipeline.exporter</c> metadata property and the manifest's <c>exporter</c> for this exporter.</summary>
    public const string Name = "mlpipeline";

    /// <summary>The metadata properties every exported file carries (docs/onnx.md), whichever exporter wrote it.</summary>
    internal static Dictionary<string, string> Metadata(OnnxExportRequest request, string trainer, IReadOnlyList<string>? classes, string exporter)
    {
        var metadata = new Dictionary<string, string>
        {
            ["mlpipeline.model"] = request.ModelName,
            ["mlpipeline.task"] = request.Task.ToString(),
            ["mlpipeline.trainer"] = trainer,
            ["mlpipeline.exporter"] = exporter,
        };
        if (classes is not null)
        {
            metadata["mlpipeline.classes"] = string.Join("\n", classes);
        }

        return metadata;
    }

    /// <summary>The model's input schema: one column per raw feature (float numeric, text otherwise).</summary>
    public static DataViewSchema InputSchema(IReadOnlyList<FeatureInput> inputs)
    {
        var builder = new DataViewSchema.Builder();
        foreach (var input in inputs)
        {
            builder.AddColumn(input.Name, input.IsNumeric ? NumberDataViewType.Single : TextDataViewType.Instance);
        }

        return builder.ToSchema();
    }

    /// <summary>The class names in the order of the model's Score vector; must equal the manifest's order.</summary>
    internal static IReadOnlyList<string> ModelClassOrder(DataViewSchema outputSchema, IReadOnlyList<string>? declared)
    {
        var score = outputSchema.GetColumnOrNull("Score") ?? throw new OnnxExportException("The multiclass model has no Score column.");
        if (!score.HasSlotNames())
        {
            return declared ?? throw new OnnxExportException("The multiclass model's Score column names no classes and none were given.");
        }

        var names = default(VBuffer<ReadOnlyMemory<char>>);
        score.GetSlotNames(ref names);
        var order = names.DenseValues().Select(n => n.ToString()).ToList();
        if (declared is not null && !order.SequenceEqual(declared, StringComparer.Ordinal))
        {
            throw new OnnxExportException($"The model scores classes in the order [{string.Join(", ", order)}], the manifest lists [{string.Join(", ", declared)}].");
        }

        return order;
    }
}
