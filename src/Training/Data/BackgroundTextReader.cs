using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace MLPipeline.Training.Data;

/// <summary>
/// Reads a file's text with the file reads, the hash (SHA-256 of every byte) and the decoding (a
/// <see cref="StreamReader"/>: UTF-8 unless a byte order mark says otherwise, the mark dropped) on another thread.
/// The profile's read is bound by turning text into numbers on one core; this puts the rest of the read on the other.
/// The text arrives in pooled chunks through a bounded queue, so memory stays at a few chunks when parsing falls behind.
/// </summary>
internal sealed class BackgroundTextReader : TextReader
{
    private const int ChunkChars = 1 << 18;
    private const int QueuedChunks = 4;

    // UTF-8 whose decoder marks invalid bytes apart from a U+FFFD the file holds. Its preamble is the UTF-8 byte order
    // mark, so the reader drops that mark itself and keeps this decoder (a UTF-16 or UTF-32 mark still switches it).
    private static readonly Encoding Utf8WithMarker = CreateUtf8WithMarker();

    private readonly BlockingCollection<(char[] Chunk, int Length)> _chunks = new(QueuedChunks);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<byte[]> _reading;
    private char[]? _current;
    private int _position;
    private int _length;
    private bool _disposed;

    /// <param name="file">Read to its end, then closed, by the reading thread.</param>
    public BackgroundTextReader(Stream file)
    {
        _reading = Task.Factory.StartNew(() => ReadAll(file), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Where the file first holds bytes that are not UTF-8, known before that text is handed on.</summary>
    public InvalidUtf8Line InvalidUtf8 { get; } = new();

    /// <summary>The SHA-256 of the file's bytes; call it once the text has been read to its end.</summary>
    public byte[] Finish() => _reading.GetAwaiter().GetResult();

    public override int Peek() => HasText() ? _current![_position] : -1;

    public override int Read() => HasText() ? _current![_position++] : -1;

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<char> buffer)
    {
        if (buffer.IsEmpty || !HasText())
        {
            return 0;
        }

        var count = Math.Min(buffer.Length, _length - _position);
        _current.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    protected override void Dispose(bool disposing)
    {
        // The CSV reader disposes its text reader, and so does the read's own using.
        if (disposing && !_disposed)
        {
            _disposed = true;

            // A read that stopped part-way: the reading thread stops at its next chunk and closes the file.
            _stop.Cancel();
            Task.WhenAny(_reading).GetAwaiter().GetResult();
            _ = _reading.Exception;
            _chunks.Dispose();
            _stop.Dispose();
        }

        base.Dispose(disposing);
    }

    private bool HasText()
    {
        if (_position < _length)
        {
            return true;
        }

        if (_current is not null)
        {
            ArrayPool<char>.Shared.Return(_current);
            _current = null;
        }

        if (_chunks.TryTake(out var next, Timeout.Infinite))
        {
            (_current, _position, _length) = (next.Chunk, 0, next.Length);
            return true;
        }

        // The reading thread has ended: a failed read (an IOException) is this reader's failure.
        _reading.GetAwaiter().GetResult();
        _length = _position = 0;
        return false;
    }

    private static Encoding CreateUtf8WithMarker()
    {
        var encoding = (Encoding)new UTF8Encoding(encoderShouldEmitUTF8Identifier: true).Clone();
        encoding.DecoderFallback = new DecoderReplacementFallback(InvalidUtf8Line.Marker.ToString());
        return encoding;
    }

    private byte[] ReadAll(Stream file)
    {
        try
        {
            using var sha = SHA256.Create();
            using (var text = new StreamReader(new CryptoStream(file, sha, CryptoStreamMode.Read), Utf8WithMarker, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16))
            {
                while (true)
                {
                    var chunk = ArrayPool<char>.Shared.Rent(ChunkChars);
                    var length = text.ReadBlock(chunk, 0, chunk.Length);
                    if (length == 0)
                    {
                        ArrayPool<char>.Shared.Return(chunk);
                        break;
                    }

                    InvalidUtf8.Scan(chunk.AsSpan(0, length));
                    _chunks.Add((chunk, length), _stop.Token);
                }
            }

            return sha.Hash!;
        }
        finally
        {
            _chunks.CompleteAdding();
            file.Dispose();
        }
    }
}
