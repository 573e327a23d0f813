using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.OpenApi;

/// <summary>
/// One model's Open Inference Protocol v2 bodies: a request with one tensor per input column (each its own schema,
/// told apart by <c>name</c>), and an answer with the task's output tensors.
/// </summary>
internal static class InferenceSchemas
{
    public const string Request = "InferRequest";
    public const string Response = "InferResponse";
    public const string Error = "InferenceError";
    public const string InputTensorBase = "InputTensor";
    public const string OutputTensorBase = "OutputTensor";

    /// <summary>Adds every v2 schema of the model to <paramref name="document"/>.</summary>
    /// <param name="values">Each input column's value schema (see <see cref="ModelSchemas.AddValues"/>).</param>
    public static void Add(OpenApiDocument document, ModelManifest manifest, IReadOnlyDictionary<string, IOpenApiSchema> values, IReadOnlyList<string> classes, int maxBatch)
    {
        var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var column in manifest.Inputs)
        {
            var schemaName = ComponentNames.For(document, "Input_", column.Name);
            document.AddComponent<IOpenApiSchema>(schemaName, InputTensor(document, column, values[column.Name], maxBatch));
            inputs.Add(column.Name, schemaName);
        }

        document.AddComponent<IOpenApiSchema>(InputTensorBase, Base(document, "An input tensor: one column's values, one per row; `name` (the column) tells which.", "The input column.", inputs));
        document.AddComponent<IOpenApiSchema>(Request, new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = $"One tensor per input column of model {manifest.Name}, every tensor with the same number of rows.",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["id"] = ModelSchemas.Text("An id of the request, echoed in the answer."),
                ["inputs"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array,
                    MinItems = manifest.Inputs.Count,
                    MaxItems = manifest.Inputs.Count,
                    Items = new OpenApiSchemaReference(InputTensorBase, document),
                    Description = "Every input column once, in any order.",
                },
            },
            Required = new HashSet<string> { "inputs" },
            AdditionalPropertiesAllowed = false,
        });

        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, description, datatype, value, maxValues) in OutputTensors(manifest.Task, classes, maxBatch))
        {
            var schemaName = ComponentNames.For(document, "Output_", name);
            document.AddComponent<IOpenApiSchema>(schemaName, Derived(document, OutputTensorBase, description, [datatype], value, maxValues));
            outputs.Add(name, schemaName);
        }

        document.AddComponent<IOpenApiSchema>(OutputTensorBase, Base(document, "An output tensor; `name` tells which.", "The output.", outputs));
        var response = ModelSchemas.Object(
            "The model's outputs for every row.",
            ("model_name", ModelSchemas.Text("The model's name.")),
            ("model_version", ModelSchemas.Text("The version that answered.")),
            ("outputs", new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference(OutputTensorBase, document), Description = "The output tensors." }));
        response.Properties!["id"] = ModelSchemas.Text("The request's id, when it had one.");
        document.AddComponent<IOpenApiSchema>(Response, response);

        document.AddComponent<IOpenApiSchema>(Error, ModelSchemas.Object(
            "An Open Inference Protocol error.", ("error", ModelSchemas.Text("What was wrong, naming the tensor or value."))));
    }

    /// <summary>The v2 form of one instance: each column as a one-row tensor.</summary>
    public static JsonObject Example(ModelManifest manifest, JsonObject row) => new()
    {
        ["inputs"] = new JsonArray([.. manifest.Inputs.Select(c => (JsonNode)new JsonObject
        {
            ["name"] = c.Name,
            ["datatype"] = ModelSchemas.IsText(c) ? "BYTES" : "FP32",
            ["shape"] = new JsonArray(1),
            ["data"] = new JsonArray(row[c.Name]?.DeepClone()),
        })]),
    };

    private static OpenApiSchema InputTensor(OpenApiDocument document, InputColumn column, IOpenApiSchema value, int maxBatch) => Derived(
        document,
        InputTensorBase,
        $"Input column {column.Name}, one value per row.",
        ModelSchemas.IsText(column) ? ["BYTES"] : ["FP32", "FP64"],
        value,
        maxBatch);

    private static IEnumerable<(string Name, string Description, string Datatype, IOpenApiSchema Value, int MaxValues)> OutputTensors(ModelTask task, IReadOnlyList<string> classes, int maxBatch)
    {
        if (task != ModelTask.Regression)
        {
            yield return ("label", "The predicted class of each row.", "BYTES", ModelSchemas.Label(classes, "A class name."), maxBatch);
        }

        if (task == ModelTask.Binary)
        {
            yield return ("probability", $"The probability of `{classes[1]}` for each row.", "FP32", ModelSchemas.Score("A probability."), maxBatch);
        }

        yield return task == ModelTask.Multiclass
            ? ("scores", $"The probability of each class for each row: shape [rows, {classes.Count}], data row by row in the class order {string.Join(", ", classes)}.",
                "FP32", ModelSchemas.Score("A probability."), maxBatch * classes.Count)
            : ("score", "The score of each row.", "FP32", ModelSchemas.Score("A score."), maxBatch);
    }

    /// <summary>
    /// What every tensor has (its name and shape), with the name as the discriminator of the tensors derived from it:
    /// the inheritance form client generators turn into a base class and a class per tensor.
    /// </summary>
    private static OpenApiSchema Base(OpenApiDocument document, string description, string nameDescription, Dictionary<string, string> schemaByName) => new()
    {
        Type = JsonSchemaType.Object,
        Description = description,
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["name"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = nameDescription },
            ["shape"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "0" },
                MinItems = 1,
                MaxItems = 2,
                Description = "[rows] or [rows, 1] for inputs; [rows] or [rows, classes] for outputs.",
            },
        },
        Required = new HashSet<string> { "name", "shape" },
        Discriminator = new OpenApiDiscriminator
        {
            PropertyName = "name",
            Mapping = schemaByName.ToDictionary(p => p.Key, p => new OpenApiSchemaReference(p.Value, document)),
        },
    };

    /// <summary>One tensor: the base, plus its datatype and its values typed.</summary>
    private static OpenApiSchema Derived(OpenApiDocument document, string baseSchema, string description, string[] datatypes, IOpenApiSchema value, int maxValues) => new()
    {
        Description = description,
        AllOf =
        [
            new OpenApiSchemaReference(baseSchema, document),
            new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["datatype"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. datatypes.Select(d => (JsonNode)JsonValue.Create(d))] },
                    ["data"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = value, MaxItems = maxValues, Description = "The values, row by row." },
                },
                Required = new HashSet<string> { "datatype", "data" },
            },
        ],
    };
}
