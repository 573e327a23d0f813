using MLPipeline.Training.Data;

namespace MLPipeline.Training.Tests;

public class InvalidUtf8LineTests
{
    [Theory]
    [InlineData(new[] { "a\nb\n\uFFFF" }, 3)]
    [InlineData(new[] { "a\r\nb\r\nc\uFFFF\r\n" }, 3)]
    [InlineData(new[] { "a\rb\rc\r\uFFFF" }, 4)]
    [InlineData(new[] { "a\r", "\nb\r", "\n\uFFFF" }, 3)]
    [InlineData(new[] { "a\r", "b\n", "\uFFFF\n\uFFFF" }, 3)]
    [InlineData(new[] { "a\n", "", "b\uFFFF\n", "\n\uFFFF" }, 2)]
    public void The_line_of_the_first_marker_counts_every_kind_of_line_end_across_chunks(string[] chunks, long line)
    {
        var found = new InvalidUtf8Line();
        foreach (var chunk in chunks)
        {
            found.Scan(chunk);
        }

        found.Line.Should().Be(line);
    }

    [Fact]
    public void Text_without_one_has_no_line()
    {
        var found = new InvalidUtf8Line();
        found.Scan("caf\u00e9\r\nna\u00efve \uFFFD\n");

        found.Line.Should().Be(0);
    }
}
