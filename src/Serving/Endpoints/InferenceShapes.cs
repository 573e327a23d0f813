using System.Text.Json;
using System.Text.Json.Serialization;

namespace MLPipeline.Serving.Endpoints;

// Shapes of the Open Inference Protocol v2 routes, for the service's OpenAPI document (the handlers read and write
// JSON directly). A model's own document types each tensor from its manifest: GET /models/{name}/openapi.json.

/// <summary>One tensor per input column, every tensor with the same number of rows.</summary>
public sealed record InferenceRequest(string? Id, IReadOnlyList<InferenceTensor> Inputs);

/// <summary>A column of values: <c>shape</c> [rows] (or [rows, 1]); FP32/FP64 for numbers, BYTES for text; null is missing.</summary>
public sealed record InferenceTensor(string Name, string Datatype, IReadOnlyList<int> Shape, IReadOnlyList<JsonElement> Data);

/// <summary>The output tensors: <c>score</c>, or <c>label</c> + <c>probability</c> + <c>score</c>, or <c>label</c> + <c>scores</c> [rows, classes].</summary>
public sealed record InferenceResponse(
    [property: JsonPropertyName("model_name")] string ModelName,
    [property: JsonPropertyName("model_version")] string ModelVersion,
    string? Id,
    IReadOnlyList<InferenceTensor> Outputs);

/// <summary>A model's v2 metadata: the version it serves, and its input and output tensors.</summary>
public sealed record InferenceModelMetadata(string Name, IReadOnlyList<string> Versions, string Platform, IReadOnlyList<InferenceTensorMetadata> Inputs, IReadOnlyList<InferenceTensorMetadata> Outputs);

/// <summary>A tensor's name, datatype and shape (-1: any number of rows).</summary>
public sealed record InferenceTensorMetadata(string Name, string Datatype, IReadOnlyList<int> Shape);

/// <summary>Whether a model serves a version now.</summary>
public sealed record InferenceModelReady(string Name, bool Ready);

/// <summary>The protocol's error body.</summary>
public sealed record InferenceError(string Error);
