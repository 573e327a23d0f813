using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;

namespace MLPipeline.TestSupport;

/// <summary>
/// A local version folder (artifacts + manifest.json) ready to publish, with random artifact bytes: the store
/// never interprets model files, so the store tests need no training run.
/// </summary>
public static class TestModelPackage
{
    /// <summary>Writes a version folder under a new temporary directory and returns its path.</summary>
    public static string Create(string name, string version, double rSquared = 0.9, DateTimeOffset? createdUtc = null, int modelBytes = 4096, bool withOnnx = false)
    {
        var dir = Directory.CreateTempSubdirectory($"pkg-{name}-{version}-").FullName;
        var artifacts = new Dictionary<string, ArtifactInfo>();
        WriteArtifact(dir, ModelManifest.ModelFileName, modelBytes, artifacts);
        if (withOnnx)
        {
            WriteArtifact(dir, ModelManifest.OnnxFileName, modelBytes / 2, artifacts);
        }

        var manifest = new ModelManifest
        {
            Name = name,
            Version = version,
            Task = ModelTask.Regression,
            CreatedUtc = createdUtc ?? DateTimeOffset.UtcNow,
            Inputs = [new InputColumn("Size", "Single", ColumnRole.Numeric), new InputColumn("District", "String", ColumnRole.Categorical)],
            Outputs = [new OutputColumn("Score", "Single")],
            Label = new LabelInfo("Price", null),
            Trainer = new TrainerDescription("FastTree", null),
            Metrics = new ModelMetrics
            {
                MainMetric = "RSquared",
                Test = new Dictionary<string, double> { ["RSquared"] = rSquared, ["RootMeanSquaredError"] = 1.5 },
            },
            TrainingData = new TrainingDataInfo("data/test.csv", 100, new string('0', 64), 80, 20),
            Artifacts = artifacts,
            Lineage = new LineageInfo(null, null, "5.0.1", ".NET 10", null),
            SampleInput = new Dictionary<string, string?> { ["Size"] = "120", ["District"] = "North" },
        };
        File.WriteAllBytes(Path.Combine(dir, ModelManifest.FileName), ManifestJson.Serialize(manifest));
        return dir;
    }

    private static void WriteArtifact(string dir, string file, int size, Dictionary<string, ArtifactInfo> artifacts)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        var path = Path.Combine(dir, file);
        File.WriteAllBytes(path, bytes);
        artifacts[file] = ArtifactHash.Describe(path);
    }
}
