using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using MLPipeline.Serving.Options;
using MLPipeline.Serving.Pool;
using MLPipeline.Serving.Security;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.OpenApi;

/// <summary>
/// The OpenAPI document of one served model (<c>GET /models/{name}/openapi.json</c>): its predict and v2 infer
/// operations at their literal paths, bodies typed from the manifest of the generation the model serves now, so a
/// client generator makes a class per model with a property per column. <c>info.version</c> is the served version; a
/// new version with other inputs gives another document.
/// </summary>
public sealed class ModelDocuments(OpenApiSecurity security, IOptions<ServingOptions> options)
{
    public const string InstanceSchema = "Instance";
    public const string PredictRequestSchema = "PredictRequest";
    public const string PredictionSchema = "Prediction";
    public const string PredictResponseSchema = "PredictResponse";
    public const string ClassScoresSchema = "ClassScores";

    /// <summary>The document as OpenAPI 3.1 JSON.</summary>
    /// <param name="withSample">Whether the manifest's sample row (a training row) may be shown as the request example.</param>
    /// <param name="manifest">The manifest of the generation the model serves now.</param>
    public Task<string> WriteAsync(string name, ModelManifest manifest, string serverUrl, bool withSample, CancellationToken cancellationToken) =>
        Create(name, manifest, serverUrl, withSample).SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, cancellationToken);

    public OpenApiDocument Create(string name, ModelManifest manifest, string serverUrl, bool withSample)
    {
        var classes = ModelGeneration.ClassesOf(manifest);
        var maxBatch = options.Value.Limits.MaxBatchSize;
        var sample = withSample ? ModelSchemas.SampleRow(manifest) : null;
        var document = new OpenApiDocument
        {
            Info = new OpenApiInfo
            {
                Title = $"{name} model",
                Version = manifest.Version,
                Description = Describe(name, manifest, sample is not null),
                License = ServiceInfo.License,
            },
            Servers = [new OpenApiServer { Url = serverUrl, Description = "The prediction service that serves the model." }],
            Paths = [],
            Tags = new HashSet<OpenApiTag>
            {
                new() { Name = ServiceDocumentTransformer.PredictTag, Description = $"Predictions of model {name} from JSON instances." },
                new() { Name = ServiceDocumentTransformer.InferenceTag, Description = $"Predictions of model {name} through KServe's Open Inference Protocol v2." },
            },
        };

        security.AddSchemes(document);
        document.AddComponent<IOpenApiSchema>(ProblemResponses.SchemaName, ProblemResponses.Schema());
        var values = ModelSchemas.AddValues(document, manifest);
        AddPredictSchemas(document, manifest, values, classes, maxBatch);
        InferenceSchemas.Add(document, manifest, values, classes, maxBatch);

        document.Paths.Add($"/models/{name}/predict", new OpenApiPathItem
        {
            Operations = new() { [HttpMethod.Post] = Predict(document, name, sample) },
        });
        document.Paths.Add($"/v2/models/{name}/infer", new OpenApiPathItem
        {
            Operations = new() { [HttpMethod.Post] = Infer(document, name, manifest, sample) },
        });
        return document;
    }

    private static void AddPredictSchemas(OpenApiDocument document, ModelManifest manifest, IReadOnlyDictionary<string, IOpenApiSchema> values, IReadOnlyList<string> classes, int maxBatch)
    {
        document.AddComponent<IOpenApiSchema>(InstanceSchema, ModelSchemas.Instance(manifest, values));
        document.AddComponent<IOpenApiSchema>(PredictRequestSchema, ModelSchemas.Object(
            "Rows to predict.",
            ("instances", new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = new OpenApiSchemaReference(InstanceSchema, document),
                MinItems = 1,
                MaxItems = maxBatch,
                Description = $"One to {maxBatch} rows (Serving:Limits:MaxBatchSize).",
            })));
        if (manifest.Task == ModelTask.Multiclass)
        {
            document.AddComponent<IOpenApiSchema>(ClassScoresSchema, ModelSchemas.ClassScores(classes));
        }

        document.AddComponent<IOpenApiSchema>(PredictionSchema, ModelSchemas.Prediction(manifest, classes, document, ClassScoresSchema));
        document.AddComponent<IOpenApiSchema>(PredictResponseSchema, ModelSchemas.Object(
            "One prediction per instance, in order.",
            ("model", ModelSchemas.Text("The model's name.")),
            ("version", ModelSchemas.Text("The version that answered (also in the X-Model-Version header).")),
            ("id", ModelSchemas.Text("The request's id (also in the X-Request-Id header): the client's X-Request-Id when it sent one, else a new one.")),
            ("predictions", new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference(PredictionSchema, document), Description = "One per instance." })));
    }

    private OpenApiOperation Predict(OpenApiDocument document, string name, JsonObject? sample)
    {
        var operation = new OpenApiOperation
        {
            OperationId = "Predict",
            Summary = $"Predicts with the version of {name} served now.",
            Description = "Every instance needs every input column (`null` for a missing value); the answer has one prediction per "
                + "instance, in order, and names the version that made it.",
            Tags = new HashSet<OpenApiTagReference> { new(ServiceDocumentTransformer.PredictTag, document) },
            RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new()
                    {
                        Schema = new OpenApiSchemaReference(PredictRequestSchema, document),
                        Example = sample is null ? null : new JsonObject { ["instances"] = new JsonArray(sample.DeepClone()) },
                    },
                },
            },
            Responses = new OpenApiResponses
            {
                ["200"] = Answer(document, PredictResponseSchema, "The predictions."),
                ["400"] = new OpenApiResponse(),
                ["404"] = new OpenApiResponse(),
                ["413"] = new OpenApiResponse(),
            },
        };
        return Secure(document, operation);
    }

    private OpenApiOperation Infer(OpenApiDocument document, string name, ModelManifest manifest, JsonObject? sample)
    {
        var operation = new OpenApiOperation
        {
            OperationId = "Infer",
            Summary = $"Predicts with the version of {name} served now, through the Open Inference Protocol v2.",
            Description = "One tensor per input column (`FP32` or `FP64` for numeric columns, `BYTES` for text and categories), "
                + "each with shape [rows] and the same rows; errors are `{\"error\"}`.",
            Tags = new HashSet<OpenApiTagReference> { new(ServiceDocumentTransformer.InferenceTag, document) },
            RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new()
                    {
                        Schema = new OpenApiSchemaReference(InferenceSchemas.Request, document),
                        Example = sample is null ? null : InferenceSchemas.Example(manifest, sample),
                    },
                },
            },
            Responses = new OpenApiResponses
            {
                ["200"] = Answer(document, InferenceSchemas.Response, "The output tensors."),
                ["400"] = InferenceError(document, "The body breaks the protocol or the model's inputs; `error` names the tensor or value."),
                ["404"] = InferenceError(document, "The model is not served."),
                ["413"] = InferenceError(document, "The body is larger than Serving:Limits:MaxBodyBytes."),
                ["503"] = InferenceError(document, "The model has no version loaded yet (`{\"error\"}`), or the service is at its concurrency limit (problem details); try again shortly."),
            },
        };
        return Secure(document, operation);
    }

    /// <summary>Both operations need the predict role; the refusals it brings are added and worded like the service document's.</summary>
    private OpenApiOperation Secure(OpenApiDocument document, OpenApiOperation operation)
    {
        operation.Security = security.Requirements(document, ServingClaims.PredictRole);
        if (security.Enabled)
        {
            operation.Responses!.TryAdd("401", new OpenApiResponse());
            operation.Responses.TryAdd("403", new OpenApiResponse());
        }

        operation.Responses!.TryAdd("429", new OpenApiResponse());
        operation.Responses.TryAdd("503", new OpenApiResponse());
        ProblemResponses.Complete(operation, document, ServingClaims.PredictRole);
        return operation;
    }

    private static OpenApiResponse Answer(OpenApiDocument document, string schema, string description) => new()
    {
        Description = description,
        Headers = new Dictionary<string, IOpenApiHeader>
        {
            ["X-Model-Version"] = new OpenApiHeader { Description = "The version that answered.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
        },
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/json"] = new() { Schema = new OpenApiSchemaReference(schema, document) },
        },
    };

    private static OpenApiResponse InferenceError(OpenApiDocument document, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/json"] = new() { Schema = new OpenApiSchemaReference(InferenceSchemas.Error, document) },
        },
    };

    private static string Describe(string name, ModelManifest manifest, bool withSample)
    {
        var task = manifest.Task.ToString().ToLowerInvariant();
        var metric = manifest.Metrics.Test.TryGetValue(manifest.MainMetric, out var value)
            ? $" Test {manifest.MainMetric}: {value.ToString("G4", CultureInfo.InvariantCulture)}."
            : "";
        return $"A {task} model that predicts {manifest.Label.Column} from {manifest.Inputs.Count} input columns "
            + $"(trainer {manifest.Trainer.Name}, version {manifest.Version}).{metric} "
            + "This document follows the version the service serves now: a new version with other inputs gives another document. "
            + (withSample
                ? "The request examples are the sample row of the training data."
                : "The request examples (a row of the training data) are shown to the admin role only.");
    }
}
