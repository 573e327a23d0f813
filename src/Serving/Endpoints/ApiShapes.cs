using System.Text.Json;

namespace MLPipeline.Serving.Endpoints;

/// <summary>Request and answer shapes of the predict routes, for the OpenAPI document (the handlers read and write JSON directly).</summary>
public sealed record PredictRequest(IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> Instances);

/// <summary>Each prediction is <c>{"score"}</c> (regression), <c>{"label","probability","score"}</c> (binary) or <c>{"label","scores"}</c> (multiclass).</summary>
public sealed record PredictResponse(string Model, string Version, IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> Predictions);
