using System.Buffers;
using System.Text.Json;

namespace MLPipeline.Serving.Pool;

/// <summary>Where one request's JSON answer is written: reset per request, owned by the engine rented for it.</summary>
public sealed class ResponseBuffer : IDisposable
{
    private Utf8JsonWriter? _writer;

    internal ArrayBufferWriter<byte> Buffer { get; } = new(512);

    internal Utf8JsonWriter Start()
    {
        Buffer.ResetWrittenCount();
        if (_writer is null)
        {
            _writer = new Utf8JsonWriter(Buffer, new JsonWriterOptions { SkipValidation = true });
        }
        else
        {
            _writer.Reset(Buffer);
        }

        return _writer;
    }

    public void Dispose() => _writer?.Dispose();
}
