namespace MLPipeline.Serving.Pool;

/// <summary>
/// A request the pool cannot serve, said in the pool's own terms; <see cref="Field"/> names the culprit. The endpoints
/// turn each kind into its HTTP status in one place (Endpoints/Problems.cs): the pool knows nothing of HTTP.
/// </summary>
public abstract class ServingException(string title, string message, string? field = null) : Exception(message)
{
    public string Title { get; } = title;
    public string? Field { get; } = field;
}

/// <summary>No model (or version, or alias) by that name is served.</summary>
public sealed class UnknownModelException(string message, string field = "name")
    : ServingException("Unknown model", message, field);

/// <summary>The model is configured but no version has loaded yet (or every load failed), or its store cannot be read now.</summary>
public sealed class ModelNotReadyException(string message)
    : ServingException("Model not loaded", message);

/// <summary>Every place for a version loaded on demand is taken by a version in use.</summary>
public sealed class OnDemandCapacityException(string message)
    : ServingException("Too many versions loaded", message);

/// <summary>The request body does not match the protocol or the model's input schema.</summary>
public sealed class InvalidInputException(string field, string message)
    : ServingException("Invalid input", $"{field}: {message}", field);

/// <summary>The request body is larger than Serving:Limits:MaxBodyBytes.</summary>
public sealed class PayloadTooLargeException(long limit)
    : ServingException("Request body too large", $"The request body exceeds the limit of {limit} bytes (Serving:Limits:MaxBodyBytes).");
