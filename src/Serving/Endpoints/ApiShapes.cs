using System.Text.Json;

namespace MLPipeline.Serving.Endpoints;

/// <summary>Request and answer shapes of the predict routes, for the OpenAPI document (the handlers read and write JSON directly).</summary>
public sealed record PredictRequest(IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> Instances);

/// <summary>
/// Each prediction is <c>{"id","score"}</c> (regression), <c>{"id","label","probability","score"}</c> (binary) or
/// <c>{"id","label","scores"}</c> (multiclass); <c>id</c> is the request's id (also in <c>X-Request-Id</c>).
/// </summary>
public sealed record PredictResponse(string Model, string Version, string Id, IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> Predictions);
