using Microsoft.Extensions.Options;
using MLPipeline.Serving.OpenApi;
using MLPipeline.Serving.Options;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Training.Tests;

/// <summary>
/// A trained model's OpenAPI document as the prediction service serves it (<c>GET /models/{name}/openapi.json</c>), for a
/// service with an API key and a JWT authority, seen by an admin caller (the sample row as the example).
/// </summary>
internal static class ModelDocument
{
    public static Task<string> WriteAsync(string name, ModelManifest manifest)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new ServingOptions
        {
            ApiKeys = [new ApiKeyOptions { Id = "ops", Key = "admin-key-0123456789ab", Role = "admin" }],
            Jwt = new JwtOptions { Authority = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0", Audience = "api://mlpipeline", PredictRole = "Predict.All", AdminRole = "Admin.All" },
        });
        return new ModelDocuments(new OpenApiSecurity(options), options).WriteAsync(name, manifest, "http://mlpipeline-serving:8080", withSample: true, CancellationToken.None);
    }
}
