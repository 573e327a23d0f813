using System.Text.RegularExpressions;
using MLPipeline.Shared.Store;

namespace MLPipeline.Shared.Manifest;

/// <summary>
/// Checks a deserialized manifest before anything trusts it. JSON can leave any reference null (<c>"inputs": null</c>)
/// and any key in <c>artifacts</c> arbitrary, so every field that readers dereference or turn into a path is checked
/// here, once, for every backend and for local version folders.
/// </summary>
public static partial class ManifestValidator
{
    private const string Missing = "is missing or null";

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Hex();

    /// <summary>The first problem found, or null when the manifest is valid.</summary>
    /// <param name="expectedName">The model the manifest was found under in a store (null: anywhere, e.g. a local folder).</param>
    /// <param name="expectedVersion">The version the manifest was found under in a store.</param>
    public static ManifestProblem? FindProblem(ModelManifest? manifest, string? expectedName = null, string? expectedVersion = null) =>
        manifest is null
            ? new ManifestProblem("$", "the manifest is null")
            : Identity(manifest, expectedName, expectedVersion)
                ?? Artifacts(manifest.Artifacts, manifest.Format)
                ?? OnnxGraphValidator.FindProblem(manifest)
                ?? Inputs(manifest.Inputs)
                ?? Outputs(manifest.Outputs)
                ?? Label(manifest.Label)
                ?? Trainer(manifest.Trainer)
                ?? Metrics(manifest.Metrics)
                ?? TrainingData(manifest.TrainingData)
                ?? Lineage(manifest.Lineage)
                ?? Required("sampleInput", manifest.SampleInput)
                ?? Profile(manifest.Profile, manifest.Inputs)
                ?? Monitoring(manifest.Monitoring, manifest.Inputs);

    private const double ShareTolerance = 1e-6;

    /// <summary>A profile's columns are inputs, its bins line up with its edges or categories, its shares are shares.</summary>
    private static ManifestProblem? Profile(TrainingProfile? profile, IReadOnlyList<InputColumn> inputs)
    {
        if (profile is null)
        {
            return null;
        }

        if (profile.Columns is null)
        {
            return new("profile.columns", Missing);
        }

        if (profile.Rows < 0)
        {
            return new("profile.rows", $"{profile.Rows} is negative");
        }

        foreach (var (name, column) in profile.Columns)
        {
            if (!inputs.Any(i => string.Equals(i.Name, name, StringComparison.Ordinal)))
            {
                return new($"profile.columns[{ArtifactName.Quote(name)}]", "is not an input column");
            }

            if (ColumnProfileProblem(column) is { } problem)
            {
                return new($"profile.columns[{ArtifactName.Quote(name)}].{problem.Field}", problem.Problem);
            }
        }

        return profile.Score is { } score && ColumnProfileProblem(score) is { } scoreProblem
            ? new($"profile.score.{scoreProblem.Field}", scoreProblem.Problem)
            : null;
    }

    private static ManifestProblem? ColumnProfileProblem(ColumnProfile? column)
    {
        if (column?.Shares is null)
        {
            return new("shares", Missing);
        }

        if ((column.Edges is null) == (column.Categories is null))
        {
            return new("edges", "a column profile has either edges (numeric) or categories (categorical)");
        }

        if (column.Edges is { } edges)
        {
            if (edges.Any(e => !double.IsFinite(e)) || edges.Zip(edges.Skip(1)).Any(p => p.First >= p.Second))
            {
                return new("edges", "must be finite and strictly ascending");
            }

            if (column.Shares.Count != edges.Count + 1)
            {
                return new("shares", $"has {column.Shares.Count} bins; {edges.Count} edges make {edges.Count + 1}");
            }
        }
        else if (column.Categories!.Count > TrainingProfile.MaxCategories || column.Categories.Any(string.IsNullOrEmpty) || column.Categories.Distinct(StringComparer.Ordinal).Count() != column.Categories.Count)
        {
            return new("categories", $"must be at most {TrainingProfile.MaxCategories} distinct non-empty values");
        }
        else if (column.Shares.Count != column.Categories.Count + 1)
        {
            return new("shares", $"has {column.Shares.Count} bins; {column.Categories.Count} categories and \"other\" make {column.Categories.Count + 1}");
        }

        if (column.Shares.Append(column.MissingShare).Any(s => !double.IsFinite(s) || s < 0 || s > 1))
        {
            return new("shares", "every share and missingShare must be between 0 and 1");
        }

        var total = column.Shares.Sum() + column.MissingShare;
        return Math.Abs(total - 1) > ShareTolerance ? new("shares", $"the shares and missingShare sum to {total:G6}, not 1") : null;
    }

    private static ManifestProblem? Monitoring(MonitoringSettings? monitoring, IReadOnlyList<InputColumn> inputs)
    {
        var unknown = monitoring?.Exclude?.FirstOrDefault(e => !inputs.Any(i => string.Equals(i.Name, e, StringComparison.Ordinal)));
        return monitoring?.Exclude is not null && unknown is not null
            ? new("monitoring.exclude", $"{ArtifactName.Quote(unknown)} is not an input column")
            : null;
    }

    private static ManifestProblem? Identity(ModelManifest manifest, string? expectedName, string? expectedVersion)
    {
        if (manifest.SchemaVersion is < 1 or > ModelManifest.CurrentSchemaVersion)
        {
            return new("schemaVersion", $"{manifest.SchemaVersion} is not a manifest schema this reader knows (1 to {ModelManifest.CurrentSchemaVersion})");
        }

        return StoreName("name", manifest.Name, "model name", expectedName)
            ?? StoreName("version", manifest.Version, "version", expectedVersion)
            ?? (Enum.IsDefined(manifest.Task) ? null : new ManifestProblem("task", $"{(int)manifest.Task} is not a task ({string.Join(", ", Enum.GetNames<ModelTask>())})"))
            ?? (manifest.Format is not { } format || Enum.IsDefined(format) ? null : new ManifestProblem("format", $"{(int)format} is not a model format (mlnet, onnx)"));
    }

    private static ManifestProblem? StoreName(string field, string? value, string what, string? expected)
    {
        if (value is null)
        {
            return new(field, Missing);
        }

        if (StoreNames.Problem(value) is { } problem)
        {
            return new(field, $"{ArtifactName.Quote(value)} is not a valid {what} ({problem})");
        }

        return expected is not null && !string.Equals(value, expected, StringComparison.Ordinal)
            ? new(field, $"{ArtifactName.Quote(value)} does not match the {what} '{expected}' the manifest is stored under")
            : null;
    }

    private static ManifestProblem? Artifacts(IReadOnlyDictionary<string, ArtifactInfo>? artifacts, ModelFormat? format)
    {
        if (artifacts is null)
        {
            return new("artifacts", Missing);
        }

        // Names equal but for case would be one file on Windows and macOS folders.
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, info) in artifacts)
        {
            var field = $"artifacts[{ArtifactName.Quote(name)}]";
            if (ArtifactName.Problem(name) is { } problem)
            {
                return new(field, problem);
            }

            if (!seen.Add(name))
            {
                return new(field, "another artifact has the same name but for case");
            }

            if (info is null)
            {
                return new(field, Missing);
            }

            if (info.Sha256 is null || !Sha256Hex().IsMatch(info.Sha256))
            {
                return new($"{field}.sha256", info.Sha256 is null ? Missing : $"{ArtifactName.Quote(info.Sha256)} is not a SHA-256 (64 hexadecimal digits)");
            }

            if (info.Size < 0)
            {
                return new($"{field}.size", $"{info.Size} is negative");
            }
        }

        // The file the runtime loads: model.zip for ML.NET, model.onnx for an imported ONNX model.
        var modelFile = format == ModelFormat.Onnx ? ModelManifest.OnnxFileName : ModelManifest.ModelFileName;
        return artifacts.ContainsKey(modelFile)
            ? null
            : new("artifacts", $"does not list {modelFile}, which every {(format == ModelFormat.Onnx ? "onnx" : "mlnet")} version has");
    }

    private static ManifestProblem? Inputs(IReadOnlyList<InputColumn>? inputs)
    {
        if (inputs is null)
        {
            return new("inputs", Missing);
        }

        // A request names each column once: a second column of the same name could never be given a value.
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            var problem = input is null
                ? new($"inputs[{i}]", Missing)
                : Text($"inputs[{i}].name", input.Name)
                    ?? (names.Add(input.Name) ? null : new ManifestProblem($"inputs[{i}].name", $"{ArtifactName.Quote(input.Name)} is listed twice"))
                    ?? Text($"inputs[{i}].type", input.Type)
                    ?? (Enum.IsDefined(input.Role) ? null : new ManifestProblem($"inputs[{i}].role", $"{(int)input.Role} is not a column role ({string.Join(", ", Enum.GetNames<ColumnRole>())})"))
                    ?? Categories($"inputs[{i}]", input);
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static ManifestProblem? Categories(string field, InputColumn input)
    {
        if (input.Categories is not { } categories)
        {
            return null;
        }

        if (input.Role != ColumnRole.Categorical)
        {
            return new($"{field}.categories", $"is only for categorical columns, and '{input.Name}' is {input.Role.ToString().ToLowerInvariant()}");
        }

        for (var j = 0; j < categories.Count; j++)
        {
            if (categories[j] is null)
            {
                return new($"{field}.categories[{j}]", Missing);
            }
        }

        return null;
    }

    private static ManifestProblem? Outputs(IReadOnlyList<OutputColumn>? outputs)
    {
        if (outputs is null)
        {
            return new("outputs", Missing);
        }

        for (var i = 0; i < outputs.Count; i++)
        {
            var output = outputs[i];
            var problem = output is null
                ? new($"outputs[{i}]", Missing)
                : Text($"outputs[{i}].name", output.Name) ?? Text($"outputs[{i}].type", output.Type);
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static ManifestProblem? Label(LabelInfo? label)
    {
        if (label is null)
        {
            return new("label", Missing);
        }

        if (Text("label.column", label.Column) is { } problem)
        {
            return problem;
        }

        // Each class is a key of a multiclass answer's scores, so one name may appear only once.
        var classes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (label.Classes?.Count ?? 0); i++)
        {
            if (label.Classes![i] is null)
            {
                return new($"label.classes[{i}]", Missing);
            }

            if (!classes.Add(label.Classes[i]))
            {
                return new($"label.classes[{i}]", $"{ArtifactName.Quote(label.Classes[i])} is listed twice");
            }
        }

        return null;
    }

    private static ManifestProblem? Trainer(TrainerDescription? trainer) =>
        trainer is null ? new("trainer", Missing) : Text("trainer.name", trainer.Name);

    private static ManifestProblem? Metrics(ModelMetrics? metrics) =>
        metrics is null
            ? new("metrics", Missing)
            : Text("metrics.mainMetric", metrics.MainMetric) ?? Required("metrics.test", metrics.Test);

    private static ManifestProblem? TrainingData(TrainingDataInfo? data)
    {
        if (data is null)
        {
            return new("trainingData", Missing);
        }

        return Required("trainingData.path", data.Path)
            ?? Required("trainingData.sha256", data.Sha256)
            ?? Count("trainingData.rows", data.Rows)
            ?? Count("trainingData.trainRows", data.TrainRows)
            ?? Count("trainingData.testRows", data.TestRows);
    }

    private static ManifestProblem? Lineage(LineageInfo? lineage) =>
        lineage is null
            ? new("lineage", Missing)
            : Required("lineage.mlNetVersion", lineage.MLNetVersion)
                ?? Required("lineage.runtime", lineage.Runtime);

    private static ManifestProblem? Required(string field, object? value) =>
        value is null ? new(field, Missing) : null;

    internal static ManifestProblem? Text(string field, string? value) =>
        string.IsNullOrWhiteSpace(value) ? new(field, value is null ? Missing : "is empty") : null;

    private static ManifestProblem? Count(string field, long value) =>
        value < 0 ? new(field, $"{value} is negative") : null;
}
