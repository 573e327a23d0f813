using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace MLPipeline.Training.Data;

/// <summary>
/// Reads a stream through and hashes every byte read (SHA-256) on another thread: the profile's read is bound by
/// turning text into numbers on one core, so the hash (about a sixth of its CPU) goes to the other instead of
/// being computed inline as a <see cref="CryptoStream"/> would. The bytes read are copied into pooled 1 MB chunks,
/// queued as each fills: few hand-offs, so the hashing thread mostly sleeps instead of spinning for the next one,
/// and a bounded queue keeps the memory to a few chunks when the hash falls behind.
/// </summary>
internal sealed class BackgroundHashStream : Stream
{
    private const int ChunkBytes = 1 << 20;
    private const int QueuedChunks = 4;

    private readonly Stream _inner;
    private readonly BlockingCollection<(byte[] Chunk, int Length)> _chunks = new(QueuedChunks);
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Task _hashing;
    private byte[] _chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
    private int _filled;

    public BackgroundHashStream(Stream inner)
    {
        _inner = inner;
        _hashing = Task.Factory.StartNew(() =>
        {
            foreach (var (chunk, length) in _chunks.GetConsumingEnumerable())
            {
                _sha.AppendData(chunk, 0, length);
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>The SHA-256 of every byte read so far; call it once, after the last read.</summary>
    public byte[] Finish()
    {
        Queue();
        _chunks.CompleteAdding();
        _hashing.GetAwaiter().GetResult();
        return _sha.GetHashAndReset();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = _inner.Read(buffer);
        for (var copied = 0; copied < read;)
        {
            var length = Math.Min(read - copied, _chunk.Length - _filled);
            buffer.Slice(copied, length).CopyTo(_chunk.AsSpan(_filled));
            (copied, _filled) = (copied + length, _filled + length);
            if (_filled == _chunk.Length)
            {
                Queue();
            }
        }

        return read;
    }

    private void Queue()
    {
        if (_filled > 0)
        {
            _chunks.Add((_chunk, _filled));
            (_chunk, _filled) = (ArrayPool<byte>.Shared.Rent(ChunkBytes), 0);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // A read that failed part-way still ends the hashing thread before the file is closed.
            if (!_chunks.IsAddingCompleted)
            {
                _chunks.CompleteAdding();
            }

            _hashing.GetAwaiter().GetResult();
            ArrayPool<byte>.Shared.Return(_chunk);
            _chunks.Dispose();
            _sha.Dispose();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
