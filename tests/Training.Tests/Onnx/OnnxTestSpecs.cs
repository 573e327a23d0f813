using System.Text.Json;
using System.Text.Json.Nodes;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Runs;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Tests.Onnx;

/// <summary>Small test-local specs over the bundled data sets (no cross-validation, to stay fast).</summary>
public static class OnnxTestSpecs
{
    public static string Write(string name, string data, string label, string task, JsonNode trainer, object? columns = null, string? positiveClass = null, bool? onnx = null)
    {
        var spec = new JsonObject
        {
            ["name"] = name,
            ["data"] = new JsonObject { ["path"] = Path.Combine(RepoPaths.Data, data) },
            ["label"] = label,
            ["task"] = task,
            ["trainers"] = trainer,
            ["testFraction"] = 0.25,
            ["folds"] = 0,
            ["seed"] = 7,
        };
        if (columns is not null)
        {
            spec["columns"] = JsonSerializer.SerializeToNode(columns);
        }

        if (positiveClass is not null)
        {
            spec["positiveClass"] = positiveClass;
        }

        if (onnx is { } export)
        {
            spec["export"] = new JsonObject { ["onnx"] = export };
        }

        var directory = Path.Combine(Path.GetTempPath(), "mlpipeline-onnx-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name + ".json");
        File.WriteAllText(path, spec.ToJsonString());
        return path;
    }

    public static TrainingResultScope Train(string specPath) =>
        new(new TrainingRun(SpecLoader.Load(specPath), SilentProgress.Instance).Execute());

    /// <summary>A training result whose staging folder is deleted at the end of the test.</summary>
    public sealed class TrainingResultScope(TrainingResult result) : IDisposable
    {
        public TrainingResult Result { get; } = result;

        public string ModelZip => Path.Combine(Result.PackageDirectory, Shared.Manifest.ModelManifest.ModelFileName);

        public string ModelOnnx => Path.Combine(Result.PackageDirectory, Shared.Manifest.ModelManifest.OnnxFileName);

        public void Dispose()
        {
            if (Directory.Exists(Result.PackageDirectory))
            {
                Directory.Delete(Result.PackageDirectory, recursive: true);
            }
        }
    }
}
