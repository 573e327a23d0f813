using System.Buffers;
using System.IO.Pipelines;
using System.Text.Unicode;
using MLPipeline.Serving.Pool;

namespace MLPipeline.Serving.Endpoints;

/// <summary>A request body read in full into a pooled array, refused with 413 as soon as it passes the limit.</summary>
internal sealed class RequestBody : IDisposable
{
    private byte[]? _array;

    private RequestBody(byte[] array, int length)
    {
        _array = array;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _array.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => _array.AsMemory(0, Length);

    /// <exception cref="PayloadTooLargeException">More than <paramref name="limit"/> bytes.</exception>
    public static async Task<RequestBody> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            throw new PayloadTooLargeException(limit);
        }

        PipeReader reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.End);
                throw new PayloadTooLargeException(limit);
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                var length = (int)buffer.Length;
                var array = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
                buffer.CopyTo(array);
                reader.AdvanceTo(buffer.End);
                var body = new RequestBody(array, length);

                // The JSON reader checks structure, not UTF-8; reading a name or string would fail later with a 500.
                if (!Utf8.IsValid(body.Span))
                {
                    body.Dispose();
                    throw new InvalidInputException("$", "the body is not valid UTF-8.");
                }

                return body;
            }

            // Nothing consumed, everything examined: wait for more bytes.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    public void Dispose()
    {
        if (_array is not null)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = null;
        }
    }
}
