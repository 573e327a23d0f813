using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;

namespace MLPipeline.Serving.OpenApi;

/// <summary>
/// The wording and shape of every refusal in the service's documents, in one place: each 4XX and 5XX response gets
/// a description of when it happens (instead of the bare reason phrase) and RFC 9457 problem details as its body; the
/// refusals that middleware writes (401, 403, 415, 429, 503) are problem details even on routes whose own errors are
/// another format (the Open Inference Protocol's <c>{"error"}</c>), and 429 and 503 carry <c>Retry-After</c>.
/// </summary>
internal static class ProblemResponses
{
    public const string SchemaName = "ProblemDetails";
    public const string MediaType = "application/problem+json";

    private static readonly HashSet<string> WrittenByMiddleware = ["401", "403", "415", "429", "503"];

    /// <summary>Fills the description, body and headers of every error response of <paramref name="operation"/>.</summary>
    /// <param name="role">The role the route needs (null: an open route), for the 403 wording.</param>
    public static void Complete(OpenApiOperation operation, OpenApiDocument document, string? role)
    {
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (status.Length != 3 || status[0] is not ('4' or '5') || response is not OpenApiResponse concrete)
            {
                continue;
            }

            if (string.IsNullOrEmpty(concrete.Description) || concrete.Description == ReasonPhrase(status))
            {
                concrete.Description = Describe(status, role);
            }

            concrete.Content ??= new Dictionary<string, OpenApiMediaType>();
            if (concrete.Content.Count == 0 || WrittenByMiddleware.Contains(status))
            {
                concrete.Content.TryAdd(MediaType, new OpenApiMediaType { Schema = new OpenApiSchemaReference(SchemaName, document) });
            }

            if (status is "429" or "503")
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers.TryAdd("Retry-After", new OpenApiHeader
                {
                    Description = "Seconds to wait before trying again (always on 429, and on 503 from the concurrency limit).",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
                });
            }
        }
    }

    /// <summary>RFC 9457 problem details as the service writes them, with the field that caused a 400.</summary>
    public static OpenApiSchema Schema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 9457 problem details.",
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = Text("A URI reference that identifies the problem type."),
            ["title"] = Text("A short summary of the problem type."),
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer | JsonSchemaType.Null, Format = "int32", Description = "The HTTP status code." },
            ["detail"] = Text("What went wrong with this request, and what to change."),
            ["instance"] = Text("A URI reference that identifies this occurrence."),
            ["field"] = Text("The request field that caused a 400, e.g. `instances[0].LSTAT` (`$` for the body as a whole)."),
        },
    };

    private static OpenApiSchema Text(string description) =>
        new() { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = description };

    private static string ReasonPhrase(string status) =>
        ReasonPhrases.GetReasonPhrase(int.Parse(status, CultureInfo.InvariantCulture));

    private static string Describe(string status, string? role) => status switch
    {
        "400" => "The body or one of its values is not valid; `field` names the culprit (e.g. `instances[0].LSTAT`).",
        "401" => "No API key or bearer token, or one that is not valid.",
        "403" => $"Authenticated, but without the {role ?? "needed"} role; `detail` names the role needed and the caller's id.",
        "404" => "The model (or version, or alias) is not served; `GET /models` lists the served models.",
        "413" => "The body is larger than Serving:Limits:MaxBodyBytes.",
        "415" => "This route accepts only `Content-Type: application/json` (an empty body is fine).",
        "429" => "Over the caller's rate limit (Serving:RateLimit).",
        "502" => "The reload failed; `detail` says why and which version keeps serving.",
        "503" => "Not available now: the model has no version loaded yet, or the service is at its concurrency limit "
            + "(Serving:Limits:MaxConcurrentRequests); try again shortly.",
        _ => ReasonPhrase(status),
    };
}
