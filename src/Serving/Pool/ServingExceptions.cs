namespace MLPipeline.Serving.Pool;

/// <summary>A request that cannot be served; <see cref="StatusCode"/> is the HTTP answer, <see cref="Field"/> names the culprit.</summary>
public class ServingException(int statusCode, string title, string message, string? field = null) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
    public string Title { get; } = title;
    public string? Field { get; } = field;
}

/// <summary>404: no model (or version, or alias) by that name is served.</summary>
public sealed class UnknownModelException(string message, string field = "name")
    : ServingException(StatusCodes.Status404NotFound, "Unknown model", message, field);

/// <summary>503: the model is configured but no version has loaded yet (or every load failed).</summary>
public sealed class ModelNotReadyException(string message)
    : ServingException(StatusCodes.Status503ServiceUnavailable, "Model not loaded", message);

/// <summary>400: the request body does not match the model's input schema.</summary>
public sealed class InvalidInputException(string field, string message)
    : ServingException(StatusCodes.Status400BadRequest, "Invalid input", $"{field}: {message}", field);

/// <summary>413: the request body is larger than Serving:Limits:MaxBodyBytes.</summary>
public sealed class PayloadTooLargeException(long limit)
    : ServingException(StatusCodes.Status413PayloadTooLarge, "Request body too large", $"The request body exceeds the limit of {limit} bytes (Serving:Limits:MaxBodyBytes).");
