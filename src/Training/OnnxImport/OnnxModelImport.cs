using System.Text.Json;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;
using MLPipeline.Training.Packaging;
using MLPipeline.Training.Runs;

namespace MLPipeline.Training.OnnxImport;

/// <summary>
/// Turns an ONNX file from any framework into a version folder the store publishes like a trained one: model.onnx and
/// a manifest (format onnx) whose graph facts come from the file, written only after every check passed.
/// </summary>
internal static class OnnxModelImport
{
    /// <returns>The staging folder (the caller publishes and deletes it) and its manifest.</returns>
    /// <exception cref="OnnxImportException">A check failed; nothing was written.</exception>
    /// <exception cref="ArgumentException">A file named on the command line is missing or its labels are not a list of names.</exception>
    public static (string Directory, ModelManifest Manifest) Prepare(string onnxPath, string name, string? labelsPath, string? samplePath, string? version)
    {
        if (!File.Exists(onnxPath))
        {
            throw new ArgumentException($"ONNX file '{onnxPath}' does not exist.");
        }

        if (samplePath is not null && !File.Exists(samplePath))
        {
            throw new ArgumentException($"Sample file '{samplePath}' does not exist.");
        }

        var labels = labelsPath is null ? null : ReadLabels(labelsPath);
        var bytes = File.ReadAllBytes(onnxPath);
        var file = Path.GetFileName(onnxPath);
        var graph = OnnxImportCheck.Run(bytes, file, labels, samplePath, out var classOutput);

        var directory = ModelPackageWriter.CreateStagingDirectory();
        try
        {
            File.WriteAllBytes(Path.Combine(directory, ModelManifest.OnnxFileName), bytes);
            var created = DateTimeOffset.UtcNow;
            var manifest = ModelPackageWriter.WriteManifest(directory, new ModelManifest
            {
                Format = ModelFormat.Onnx,
                Name = name,
                Version = version ?? ModelPackageWriter.NewVersion(created, ArtifactHash.Describe(Path.Combine(directory, ModelManifest.OnnxFileName)).Sha256),
                // The task says only whether answers carry class labels; the graph's outputs say what the model answers.
                Task = labels is null ? ModelTask.Regression : ModelTask.Multiclass,
                CreatedUtc = created,
                Inputs = [],
                Outputs = [.. graph.Outputs.Select(o => new OutputColumn(o.Name, Describe(o)))],
                Label = new LabelInfo(classOutput ?? graph.Outputs[0].Name, labels),
                Trainer = new TrainerDescription(graph.Producer.Version is null ? graph.Producer.Name : $"{graph.Producer.Name} {graph.Producer.Version}", null),
                Metrics = new ModelMetrics { MainMetric = "none", Test = new Dictionary<string, double>() },
                TrainingData = new TrainingDataInfo(file, 0, "", 0, 0),
                Artifacts = new Dictionary<string, ArtifactInfo>(),
                Lineage = Lineage.Describe(Path.GetFullPath(onnxPath)),
                SampleInput = new Dictionary<string, string?>(),
                Graph = graph,
            });
            if (ManifestValidator.FindProblem(manifest) is { } problem)
            {
                throw new OnnxImportException($"{file}: the manifest it would get is not valid: {problem.Field}: {problem.Problem}");
            }

            return (directory, manifest);
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>A tensor's type as one word for list and show: <c>float[-1,10]</c>, or <c>map-sequence(int64->float)</c>.</summary>
    public static string Describe(OnnxTensor tensor) =>
        tensor.IsMapSequence ? $"map-sequence({tensor.KeyType}->{tensor.ElementType})" : $"{tensor.ElementType}[{string.Join(",", tensor.Shape)}]";

    private static List<string> ReadLabels(string path)
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException($"Labels file '{path}' does not exist.");
        }

        try
        {
            var labels = JsonSerializer.Deserialize<List<string?>>(File.ReadAllBytes(path));
            if (labels is null || labels.Count == 0 || labels.Any(string.IsNullOrEmpty) || labels.Distinct(StringComparer.Ordinal).Count() != labels.Count)
            {
                throw new ArgumentException($"{path}: must be a JSON array of distinct, non-empty class names in the model's output order.");
            }

            return labels!;
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"{path}: must be a JSON array of class names in the model's output order ({ex.Message}).");
        }
    }
}
