using System.Reflection;
using System.Text.Json;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;
using NJsonSchema;
using NJsonSchema.Validation;

namespace MLPipeline.Training.Specs;

/// <summary>Reads a spec file, validates it against the shipped JSON Schema, and maps it to <see cref="TrainingSpec"/>.</summary>
public static class SpecLoader
{
    private static readonly Lazy<JsonSchema> Schema = new(LoadSchema);

    public static TrainingSpec Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SpecException($"{path}: cannot read the spec ({ex.Message}).", ex);
        }

        return Parse(text, Path.GetFullPath(path));
    }

    public static TrainingSpec Parse(string json, string sourcePath)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new SpecException($"{sourcePath}: not valid JSON at line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}: {ex.Message}", ex);
        }

        using (document)
        {
            try
            {
                return ValidateAndMap(document, json, sourcePath);
            }
            catch (Exception ex) when (ex is FormatException or OverflowException or InvalidCastException)
            {
                // A number the schema accepts but no field can hold (an integer of 20 digits): the reader's own words.
                throw new SpecException($"{sourcePath}: a number is out of range for its field ({ex.Message}).", ex);
            }
        }
    }

    private static TrainingSpec ValidateAndMap(JsonDocument document, string json, string sourcePath)
    {
        var errors = Schema.Value.Validate(json);
        if (errors.Count > 0)
        {
            var lines = errors.SelectMany(Flatten).Distinct().Select(e => "  " + e);
            throw new SpecException($"{sourcePath}: the spec does not match spec.schema.json:{Environment.NewLine}{string.Join(Environment.NewLine, lines)}");
        }

        var spec = Map(document.RootElement, sourcePath);
        if (StoreNames.Problem(spec.Name) is { } problem)
        {
            // What the schema's pattern cannot say: names every store can hold (no trailing dot, no Windows device name).
            throw new SpecException($"{sourcePath}: name '{spec.Name}': {problem}.");
        }

        SearchSpecChecks.Check(spec);
        return spec;
    }

    private static TrainingSpec Map(JsonElement root, string sourcePath)
    {
        var data = root.GetProperty("data");
        var export = root.TryGetProperty("export", out var e) ? e : default;
        var onnxExplicit = export.ValueKind == JsonValueKind.Object && export.TryGetProperty("onnx", out _);
        return new TrainingSpec
        {
            Name = root.GetProperty("name").GetString()!,
            Description = OptionalString(root, "description"),
            Data = new DataSpec
            {
                Path = data.GetProperty("path").GetString()!,
                Separator = OptionalString(data, "separator") ?? ",",
                HasHeader = OptionalBool(data, "hasHeader") ?? true,
                AllowQuoting = OptionalBool(data, "allowQuoting") ?? true,
            },
            Label = root.GetProperty("label").GetString()!,
            Task = Enum.Parse<ModelTask>(root.GetProperty("task").GetString()!, ignoreCase: true),
            PositiveClass = OptionalString(root, "positiveClass"),
            Columns = root.TryGetProperty("columns", out var columns)
                ? columns.EnumerateObject().ToDictionary(p => p.Name, p => Enum.Parse<ColumnKind>(p.Value.GetString()!, ignoreCase: true))
                : new Dictionary<string, ColumnKind>(),
            Trainers = ReadTrainers(root.GetProperty("trainers")),
            TestFraction = root.TryGetProperty("testFraction", out var tf) ? tf.GetDouble() : 0.2,
            ChampionTolerance = root.TryGetProperty("championTolerance", out var ct) ? ct.GetDouble() : 0,
            Folds = root.TryGetProperty("folds", out var folds) ? folds.GetInt32() : 5,
            Seed = root.TryGetProperty("seed", out var seed) ? seed.GetInt32() : 42,
            Cache = OptionalString(root, "cache") is { } cache ? Enum.Parse<CacheMode>(cache, ignoreCase: true) : CacheMode.Memory,
            Gates = root.TryGetProperty("gates", out var gates)
                ? gates.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)
                : new Dictionary<string, string>(),
            Expectations = root.TryGetProperty("expectations", out var expectations)
                ? expectations.EnumerateArray().Select(x => new Expectation(
                    x.GetProperty("input").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone()),
                    x.GetProperty("score").GetDouble(),
                    x.GetProperty("tolerance").GetDouble())).ToList()
                : [],
            Export = new ExportSpec
            {
                Onnx = !onnxExplicit || export.GetProperty("onnx").GetBoolean(),
                OnnxExplicit = onnxExplicit && export.GetProperty("onnx").GetBoolean(),
            },
            Search = ReadSearch(root, root.TryGetProperty("seed", out var runSeed) ? runSeed.GetInt32() : 42),
            MonitoringExclude = root.TryGetProperty("monitoring", out var monitoring) && monitoring.TryGetProperty("exclude", out var exclude)
                ? [.. exclude.EnumerateArray().Select(x => x.GetString()!)]
                : [],
            SourcePath = sourcePath,
            Raw = root.Clone(),
        };
    }

    private static List<TrainerSpec> ReadTrainers(JsonElement trainers) =>
        trainers.ValueKind == JsonValueKind.Array
            ? trainers.EnumerateArray().Select(ReadTrainer).ToList()
            : [ReadTrainer(trainers)];

    private static TrainerSpec ReadTrainer(JsonElement trainer)
    {
        if (trainer.ValueKind == JsonValueKind.String)
        {
            return new TrainerSpec(trainer.GetString()!, new Dictionary<string, JsonElement>(), new Dictionary<string, IReadOnlyList<JsonElement>>());
        }

        var options = trainer.TryGetProperty("options", out var o)
            ? o.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone())
            : [];
        var grid = trainer.TryGetProperty("grid", out var g)
            ? g.EnumerateObject().ToDictionary(p => p.Name, p => (IReadOnlyList<JsonElement>)p.Value.EnumerateArray().Select(v => v.Clone()).ToList())
            : [];
        long? maxRows = trainer.TryGetProperty("maxRows", out var m) ? m.GetInt64() : null;
        var space = trainer.TryGetProperty("space", out var sp)
            ? sp.EnumerateObject().ToDictionary(p => p.Name, p => ReadDimension(p.Value))
            : [];
        return new TrainerSpec(trainer.GetProperty("name").GetString()!, options, grid, maxRows) { Space = space };
    }

    private static SpaceDimension ReadDimension(JsonElement dimension)
    {
        var log = OptionalBool(dimension, "log") ?? false;
        if (dimension.TryGetProperty("int", out var ints))
        {
            return new SpaceDimension.Integers(ints[0].GetInt64(), ints[1].GetInt64(), log);
        }

        return dimension.TryGetProperty("float", out var floats)
            ? new SpaceDimension.Reals(floats[0].GetDouble(), floats[1].GetDouble(), log)
            : new SpaceDimension.Choice(dimension.GetProperty("choice").EnumerateArray().Select(v => v.Clone()).ToList());
    }

    private static SearchSpec ReadSearch(JsonElement root, int runSeed)
    {
        if (!root.TryGetProperty("search", out var search))
        {
            return new SearchSpec(SearchStrategy.Grid, 0, null, runSeed, SearchSpec.DefaultEta);
        }

        var budget = OptionalString(search, "budget") is { } text ? ParseDuration(text) : (TimeSpan?)null;
        return new SearchSpec(
            Enum.Parse<SearchStrategy>(search.GetProperty("strategy").GetString()!, ignoreCase: true),
            search.TryGetProperty("trials", out var trials) ? trials.GetInt32() : SearchSpec.DefaultTrials,
            budget,
            search.TryGetProperty("seed", out var seed) ? seed.GetInt32() : runSeed,
            search.TryGetProperty("eta", out var eta) ? eta.GetInt32() : SearchSpec.DefaultEta);
    }

    /// <summary>90s, 15m, 2h (the schema's pattern has already checked the shape).</summary>
    private static TimeSpan ParseDuration(string text)
    {
        var number = double.Parse(text[..^1], System.Globalization.CultureInfo.InvariantCulture);
        return text[^1] switch
        {
            's' => TimeSpan.FromSeconds(number),
            'm' => TimeSpan.FromMinutes(number),
            _ => TimeSpan.FromHours(number),
        };
    }

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool? OptionalBool(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    /// <summary>Schema errors inside oneOf are nested; report the innermost ones with their JSON path and line.</summary>
    private static IEnumerable<string> Flatten(ValidationError error)
    {
        if (error is ChildSchemaValidationError child && child.Errors.Count > 0)
        {
            var nested = child.Errors.SelectMany(kv => kv.Value).SelectMany(Flatten).ToList();
            if (nested.Count > 0)
            {
                return nested;
            }
        }

        var path = string.IsNullOrEmpty(error.Path) ? "(root)" : error.Path.TrimStart('#', '/').Replace('/', '.');
        var detail = error.Kind switch
        {
            ValidationErrorKind.NoAdditionalPropertiesAllowed => $"'{error.Property}' is not a known field",
            ValidationErrorKind.PropertyRequired => $"required field '{error.Property}' is missing",
            ValidationErrorKind.NotInEnumeration => $"value is not one of: {string.Join(", ", error.Schema?.Enumeration ?? [])}",
            _ => error.Kind.ToString(),
        };
        return [$"line {error.LineNumber}: {path}: {detail}"];
    }

    private static JsonSchema LoadSchema()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("spec.schema.json")
            ?? throw new InvalidOperationException("spec.schema.json is not embedded in the console.");
        using var reader = new StreamReader(stream);
        return JsonSchema.FromJsonAsync(reader.ReadToEnd()).GetAwaiter().GetResult();
    }
}
