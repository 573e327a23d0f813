using System.Security.Cryptography;
using MLPipeline.Training.Data;

namespace MLPipeline.Training.Tests;

public class BackgroundHashStreamTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(1 << 16)]
    public void The_hash_is_the_sha256_of_every_byte_read_whatever_the_read_size(int readSize)
    {
        // More bytes than the queue holds at any read size, so the reader waits for the hash now and then.
        var bytes = new byte[3_000_017];
        new Random(5).NextBytes(bytes);
        using var stream = new BackgroundHashStream(new MemoryStream(bytes));

        var copy = new MemoryStream();
        var buffer = new byte[readSize];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            copy.Write(buffer, 0, read);
        }

        copy.ToArray().Should().Equal(bytes);
        stream.Finish().Should().Equal(SHA256.HashData(bytes));
    }

    [Fact]
    public async Task A_read_that_stops_part_way_ends_the_hashing_and_closes_the_file()
    {
        var inner = new MemoryStream(new byte[1 << 20]);
        var stream = new BackgroundHashStream(inner);
        stream.ReadExactly(new byte[100_000]);

        // A bound, not a speed: disposing must not wait for bytes that will never come.
        await Task.Run(stream.Dispose).WaitAsync(TimeSpan.FromSeconds(30));
        inner.CanRead.Should().BeFalse("the file is closed with the stream");
    }
}
