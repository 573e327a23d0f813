using System.Security.Cryptography;
using System.Text;
using MLPipeline.Training.Data;

namespace MLPipeline.Training.Tests;

public class BackgroundTextReaderTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(1 << 20)]
    public void The_text_is_the_files_decoded_and_the_hash_is_the_sha256_of_its_bytes(int readSize)
    {
        // A byte order mark (dropped from the text, kept in the hash), multi-byte characters across chunk edges, and
        // more text than the queue holds, so the reading thread waits for the reader now and then.
        var text = string.Concat(Enumerable.Range(0, 120_000).Select(i => $"{i},café,\"a,b\"\r\n"));
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(text)).ToArray();
        using var reader = new BackgroundTextReader(new MemoryStream(bytes));

        var read = new StringBuilder();
        var buffer = new char[readSize];
        int count;
        while ((count = readSize == 1 ? Single(reader, buffer) : reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            read.Append(buffer, 0, count);
        }

        read.ToString().Should().Be(text);
        reader.Finish().Should().Equal(SHA256.HashData(bytes));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Bytes_that_are_not_utf8_are_marked_with_their_line_and_a_U_FFFD_of_the_file_is_text(bool byteOrderMark)
    {
        // Line 2 holds a U+FFFD written as UTF-8 (data mangled upstream, still valid); line 3 a Latin-1 'é' (0xE9).
        var bytes = (byteOrderMark ? Encoding.UTF8.GetPreamble() : [])
            .Concat(Encoding.UTF8.GetBytes("a,b\nC\uFFFDtes,1\ncaf")).Concat(new byte[] { 0xE9 }).Concat(Encoding.UTF8.GetBytes(",2\n")).ToArray();
        using var reader = new BackgroundTextReader(new MemoryStream(bytes));

        var text = reader.ReadToEnd();

        text.Should().Be($"a,b\nC\uFFFDtes,1\ncaf{InvalidUtf8Line.Marker},2\n");
        reader.InvalidUtf8.Line.Should().Be(3);
    }

    [Fact]
    public void A_read_that_stops_part_way_ends_the_reading_thread_and_closes_the_file()
    {
        var file = new MemoryStream(new byte[8 << 20]);
        var reader = new BackgroundTextReader(file);
        reader.Read(new char[1000], 0, 1000).Should().BeGreaterThan(0);

        reader.Dispose();
        reader.Dispose();

        file.CanRead.Should().BeFalse("the file is closed once the reading thread has stopped");
    }

    [Fact]
    public void A_file_that_fails_part_way_fails_the_read_with_its_own_exception()
    {
        using var reader = new BackgroundTextReader(new FailingStream(new byte[3 << 20]));

        var readAll = () => reader.ReadToEnd();

        readAll.Should().Throw<IOException>().WithMessage("disk gone");
    }

    private static int Single(TextReader reader, char[] buffer)
    {
        var next = reader.Read();
        if (next < 0)
        {
            return 0;
        }

        buffer[0] = (char)next;
        return 1;
    }

    /// <summary>Gives its first megabyte, then fails as a disk that went away would.</summary>
    private sealed class FailingStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) =>
            Position >= 1 << 20 ? throw new IOException("disk gone") : base.Read(buffer, offset, Math.Min(count, (1 << 20) - (int)Position));

        public override int Read(Span<byte> buffer) =>
            Position >= 1 << 20 ? throw new IOException("disk gone") : base.Read(buffer[..Math.Min(buffer.Length, (1 << 20) - (int)Position)]);
    }
}
