using System.Buffers;
using System.IO.Pipelines;
using System.Text.Unicode;
using MLPipeline.Serving.Pool;

namespace MLPipeline.Serving.Endpoints;

/// <summary>
/// A request body read in full into a pooled array, refused with 413 as soon as it passes the limit. A struct, and read
/// without an async step when the whole body has already arrived (the usual case for a prediction), so a request
/// allocates nothing here. Dispose it exactly once.
/// </summary>
internal readonly struct RequestBody : IDisposable
{
    private readonly byte[] _array;

    private RequestBody(byte[] array, int length)
    {
        _array = array;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _array.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => _array.AsMemory(0, Length);

    /// <exception cref="PayloadTooLargeException">More than <paramref name="limit"/> bytes.</exception>
    /// <exception cref="InvalidInputException">The body is not valid UTF-8.</exception>
    public static ValueTask<RequestBody> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            throw new PayloadTooLargeException(limit);
        }

        var reader = request.BodyReader;
        return reader.TryRead(out var result) && TryComplete(reader, result, limit, out var body)
            ? new ValueTask<RequestBody>(body)
            : ReadSlowAsync(reader, limit, cancellationToken);
    }

    private static async ValueTask<RequestBody> ReadSlowAsync(PipeReader reader, int limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            if (TryComplete(reader, result, limit, out var body))
            {
                return body;
            }
        }
    }

    /// <summary>Takes the body once it is complete; otherwise marks everything examined so the next read waits for more.</summary>
    private static bool TryComplete(PipeReader reader, ReadResult result, int limit, out RequestBody body)
    {
        var buffer = result.Buffer;
        if (buffer.Length > limit)
        {
            reader.AdvanceTo(buffer.End);
            throw new PayloadTooLargeException(limit);
        }

        if (!result.IsCompleted && !result.IsCanceled)
        {
            // Nothing consumed, everything examined: wait for more bytes.
            reader.AdvanceTo(buffer.Start, buffer.End);
            body = default;
            return false;
        }

        var length = (int)buffer.Length;
        var array = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        buffer.CopyTo(array);
        reader.AdvanceTo(buffer.End);
        body = new RequestBody(array, length);

        // The JSON reader checks structure, not UTF-8; reading a name or string would fail later with a 500.
        if (!Utf8.IsValid(body.Span))
        {
            body.Dispose();
            throw new InvalidInputException("$", "the body is not valid UTF-8.");
        }

        return true;
    }

    public void Dispose()
    {
        if (_array is not null)
        {
            ArrayPool<byte>.Shared.Return(_array);
        }
    }
}
