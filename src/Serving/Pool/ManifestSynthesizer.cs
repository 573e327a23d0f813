using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Pool;

/// <summary>
/// Describes a bare model.zip that came without a manifest: inputs from the saved input schema, the task from the
/// output columns, the version from the content hash.
/// </summary>
internal static class ManifestSynthesizer
{
    public static ModelManifest Describe(string name, byte[] modelBytes, ITransformer model, DataViewSchema inputSchema)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(modelBytes));
        var outputs = model.GetOutputSchema(inputSchema);
        var score = outputs.GetColumnOrNull("Score") ?? throw new InvalidDataException("The model has no Score output column.");
        ModelTask task;
        IReadOnlyList<string>? classes = null;
        if (score.Type is VectorDataViewType vector)
        {
            task = ModelTask.Multiclass;
            var names = default(VBuffer<ReadOnlyMemory<char>>);
            if (score.HasSlotNames())
            {
                score.GetSlotNames(ref names);
                classes = names.DenseValues().Select(n => n.ToString()).ToList();
            }
            else
            {
                classes = Enumerable.Range(0, vector.Size).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            }
        }
        else
        {
            task = outputs.GetColumnOrNull("Probability") is null ? ModelTask.Regression : ModelTask.Binary;
            classes = task == ModelTask.Binary ? ["false", "true"] : null;
        }

        var inputs = inputSchema.Where(c => !c.IsHidden && (c.Type is TextDataViewType || c.Type == NumberDataViewType.Single))
            .Select(c => new InputColumn(c.Name, c.Type is TextDataViewType ? "String" : "Single", c.Type is TextDataViewType ? ColumnRole.Categorical : ColumnRole.Numeric))
            .ToList();
        return new ModelManifest
        {
            Name = name,
            Version = "sha256-" + hash[..12],
            Task = task,
            CreatedUtc = DateTimeOffset.UtcNow,
            Inputs = inputs,
            Outputs = outputs.Where(c => !c.IsHidden).Select(c => new OutputColumn(c.Name, c.Type.ToString() ?? "")).ToList(),
            Label = new LabelInfo("Label", classes, task == ModelTask.Binary ? "true" : null),
            Trainer = new TrainerDescription("unknown", null),
            Metrics = new ModelMetrics { MainMetric = "", Test = new Dictionary<string, double>() },
            TrainingData = new TrainingDataInfo("", 0, "", 0, 0),
            Artifacts = new Dictionary<string, ArtifactInfo> { [ModelManifest.ModelFileName] = new(hash, modelBytes.LongLength) },
            Lineage = new LineageInfo(null, null, typeof(MLContext).Assembly.GetName().Version?.ToString() ?? "", Environment.Version.ToString(), null),
            SampleInput = new Dictionary<string, string?>(),
        };
    }
}
