using MLPipeline.Training.Data;

namespace MLPipeline.Training.Tests;

public class ReplacementCharacterLineTests
{
    [Theory]
    [InlineData(new[] { "a\nb\n\uFFFD" }, 3)]
    [InlineData(new[] { "a\r\nb\r\nc\uFFFD\r\n" }, 3)]
    [InlineData(new[] { "a\rb\rc\r\uFFFD" }, 4)]
    [InlineData(new[] { "a\r", "\nb\r", "\n\uFFFD" }, 3)]
    [InlineData(new[] { "a\r", "b\n", "\uFFFD\n\uFFFD" }, 3)]
    [InlineData(new[] { "a\n", "", "b\uFFFD\n", "\n\uFFFD" }, 2)]
    public void The_line_of_the_first_replacement_character_counts_every_kind_of_line_end_across_chunks(string[] chunks, long line)
    {
        var found = new ReplacementCharacterLine();
        foreach (var chunk in chunks)
        {
            found.Scan(chunk);
        }

        found.Line.Should().Be(line);
    }

    [Fact]
    public void Text_without_one_has_no_line()
    {
        var found = new ReplacementCharacterLine();
        found.Scan("caf\u00e9\r\nna\u00efve\n");

        found.Line.Should().Be(0);
    }
}
