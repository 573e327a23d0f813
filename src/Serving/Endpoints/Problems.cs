using System.Text.Json;
using MLPipeline.Serving.Pool;

namespace MLPipeline.Serving.Endpoints;

/// <summary>The one place where the pool's refusals become HTTP: a status per kind, RFC 9457 problem details with the field.</summary>
internal static class Problems
{
    public static int StatusOf(ServingException ex) => ex switch
    {
        UnknownModelException => StatusCodes.Status404NotFound,
        InvalidInputException => StatusCodes.Status400BadRequest,
        PayloadTooLargeException => StatusCodes.Status413PayloadTooLarge,
        ModelNotReadyException or OnDemandCapacityException => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status400BadRequest,
    };

    public static IResult From(ServingException ex) => Create(StatusOf(ex), ex.Title, ex.Message, ex.Field);

    public static string MalformedJsonDetail(JsonException ex) =>
        $"The body is not valid JSON (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}).";

    public static IResult Create(int status, string title, string detail, string? field = null) =>
        TypedResults.Problem(
            detail: detail,
            statusCode: status,
            title: title,
            extensions: field is null ? null : new Dictionary<string, object?> { ["field"] = field });
}
