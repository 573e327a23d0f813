using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.OpenApi;

/// <summary>
/// JSON schemas of one model's rows and answers, from its manifest: a property per input column with its type, null
/// allowed (the service takes null as a missing value in every column), the training values of a categorical column
/// as an enum; the prediction shaped by the task, with the class names the model answers with.
/// </summary>
internal static class ModelSchemas
{
    public static bool IsText(InputColumn column) => column.Type.Equals("String", StringComparison.OrdinalIgnoreCase);

    /// <summary>One column's value: a number or a string (an enum when the manifest lists its categories), or null.</summary>
    public static OpenApiSchema Value(InputColumn column)
    {
        if (!IsText(column))
        {
            return new OpenApiSchema
            {
                Type = JsonSchemaType.Number | JsonSchemaType.Null,
                Format = "float",
                Description = "Numeric (32-bit float). `null` is a missing value, replaced the way training replaced it.",
            };
        }

        var schema = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null };
        if (column.Role == ColumnRole.Categorical && column.Categories is { Count: > 0 } categories)
        {
            schema.Enum = [.. categories.Select(c => (JsonNode)JsonValue.Create(c)), JsonNullSentinel.JsonNull];
            schema.Description = $"Categorical: one of the {categories.Count} values in the training data. The service also takes "
                + "other values (the model encodes them as unseen). `null` is a missing value.";
        }
        else
        {
            schema.Description = column.Role == ColumnRole.Categorical
                ? "Categorical (its training values are not listed: too many, or an older manifest). `null` is a missing value."
                : "Free text, featurized the way training featurized it. `null` is a missing value.";
        }

        return schema;
    }

    /// <summary>
    /// Each input column's value schema by column name. A categorical column with listed values gets a schema of its
    /// own (<c>Category_&lt;column&gt;</c>), shared by the instance and the v2 tensor, so a generated client has one enum
    /// type per column.
    /// </summary>
    public static IReadOnlyDictionary<string, IOpenApiSchema> AddValues(OpenApiDocument document, ModelManifest manifest)
    {
        var values = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        foreach (var column in manifest.Inputs)
        {
            var value = Value(column);
            if (value.Enum is { Count: > 0 })
            {
                var name = ComponentNames.For(document, "Category_", column.Name);
                document.AddComponent<IOpenApiSchema>(name, value);
                values[column.Name] = new OpenApiSchemaReference(name, document);
            }
            else
            {
                values[column.Name] = value;
            }
        }

        return values;
    }

    /// <summary>One row: every input column present (null for a missing value); other fields are ignored by the service.</summary>
    public static OpenApiSchema Instance(ModelManifest manifest, IReadOnlyDictionary<string, IOpenApiSchema> values) => new()
    {
        Type = JsonSchemaType.Object,
        Description = $"One row of model {manifest.Name}: every input column, `null` for a missing value.",
        Properties = manifest.Inputs.ToDictionary(c => c.Name, c => values[c.Name], StringComparer.Ordinal),
        Required = manifest.Inputs.Select(c => c.Name).ToHashSet(StringComparer.Ordinal),
        AdditionalPropertiesAllowed = false,
    };

    /// <summary>The manifest's sample row with numbers as numbers, or null when it does not fit the inputs.</summary>
    public static JsonObject? SampleRow(ModelManifest manifest)
    {
        var row = new JsonObject();
        foreach (var column in manifest.Inputs)
        {
            if (!manifest.SampleInput.TryGetValue(column.Name, out var raw) || raw is null)
            {
                row[column.Name] = null;
            }
            else if (IsText(column))
            {
                row[column.Name] = raw;
            }
            else if (float.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && float.IsFinite(number))
            {
                row[column.Name] = number;
            }
            else
            {
                return null;
            }
        }

        return row;
    }

    /// <summary>One prediction of the <c>instances</c> protocol, by task.</summary>
    public static OpenApiSchema Prediction(ModelManifest manifest, IReadOnlyList<string> classes, OpenApiDocument document, string scoresSchema) =>
        manifest.Task switch
        {
            ModelTask.Regression => Object(
                $"The predicted {manifest.Label.Column}.",
                ("id", PredictionId),
                ("score", Score($"The predicted {manifest.Label.Column} (null when the model's output is not finite)."))),
            ModelTask.Binary => Object(
                $"The predicted {manifest.Label.Column}: `{classes[1]}` when the model says positive, else `{classes[0]}`.",
                ("id", PredictionId),
                ("label", Label(classes, "The predicted class.")),
                ("probability", Score($"The calibrated probability of `{classes[1]}`.")),
                ("score", Score("The raw score (positive means the positive class)."))),
            _ => Object(
                $"The predicted {manifest.Label.Column} and the probability of every class.",
                ("id", PredictionId),
                ("label", Label(classes, "The class with the highest score.")),
                ("scores", new OpenApiSchemaReference(scoresSchema, document))),
        };

    /// <summary>The id feedback names a prediction by.</summary>
    public static OpenApiSchema PredictionId => Text("The prediction's id, for feedback (POST /models/{name}/feedback): the request id for a one-instance request, `<request id>-<index>` in a batch.");

    /// <summary>A multiclass model's scores: one property per class name, in the model's class order.</summary>
    public static OpenApiSchema ClassScores(IReadOnlyList<string> classes) =>
        Object("The probability of each class, by class name.", [.. classes.Select(c => (c, (IOpenApiSchema)Score($"The probability of `{c}`.")))]);

    public static OpenApiSchema Label(IReadOnlyList<string> classes, string description) => new()
    {
        Type = JsonSchemaType.String,
        Enum = [.. classes.Select(c => (JsonNode)JsonValue.Create(c))],
        Description = description,
    };

    public static OpenApiSchema Score(string description) => new()
    {
        Type = JsonSchemaType.Number | JsonSchemaType.Null,
        Format = "float",
        Description = description,
    };

    public static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };

    /// <summary>A closed object whose properties are all required.</summary>
    public static OpenApiSchema Object(string description, params (string Name, IOpenApiSchema Schema)[] properties) => new()
    {
        Type = JsonSchemaType.Object,
        Description = description,
        Properties = properties.ToDictionary(p => p.Name, p => p.Schema, StringComparer.Ordinal),
        Required = properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal),
        AdditionalPropertiesAllowed = false,
    };
}
