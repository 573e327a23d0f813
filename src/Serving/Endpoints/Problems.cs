using System.Text.Json;
using MLPipeline.Serving.Pool;

namespace MLPipeline.Serving.Endpoints;

/// <summary>RFC 9457 problem details for every refusal, with the offending field named in <c>field</c>.</summary>
internal static class Problems
{
    public static IResult From(ServingException ex) => Create(ex.StatusCode, ex.Title, ex.Message, ex.Field);

    public static IResult MalformedJson(JsonException ex) =>
        Create(StatusCodes.Status400BadRequest, "Malformed JSON",
            $"The body is not valid JSON (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}).", "$");

    public static IResult Create(int status, string title, string detail, string? field = null) =>
        TypedResults.Problem(
            detail: detail,
            statusCode: status,
            title: title,
            extensions: field is null ? null : new Dictionary<string, object?> { ["field"] = field });
}
