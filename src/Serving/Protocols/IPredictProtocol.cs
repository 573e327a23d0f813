using System.Text.Json;
using MLPipeline.Serving.Pool;

namespace MLPipeline.Serving.Protocols;

/// <summary>
/// One wire format for predictions: it reads a request body straight into the rented engine and writes the answer
/// into the engine's output buffer, and it words refusals its own way. The predict pipeline does everything else.
/// </summary>
public interface IPredictProtocol
{
    /// <summary>The protocol's label in the metrics.</summary>
    string Name { get; }

    /// <summary>
    /// Predicts every row of <paramref name="body"/> and writes the answer, with the request's id (and each row's,
    /// <see cref="Monitoring.PredictionIds.OfRow"/>); returns the number of rows.
    /// </summary>
    /// <exception cref="InvalidInputException">The body breaks the protocol or the model's input schema.</exception>
    /// <exception cref="JsonException">The body is not well-formed JSON.</exception>
    int Run(ReadOnlyMemory<byte> body, DynamicLease lease, string modelName, string requestId, int maxBatch, Utf8JsonWriter output);

    /// <summary>A refusal in this protocol's error format.</summary>
    IResult Refuse(int status, string title, string detail, string? field);
}
