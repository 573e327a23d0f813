using System.Globalization;
using FluentAssertions;
using MLPipeline.Training.Data;

namespace MLPipeline.Training.Tests;

/// <summary>
/// Every CSV value gets the float .NET's own parser gives it, bit for bit, whichever of the parsers inside
/// <see cref="CsvNumbers"/> reads it (the short-decimal fast path, csFastFloat, or .NET's).
/// </summary>
public class CsvNumbersTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("-0.0")]
    [InlineData("7.")]
    [InlineData(".5")]
    [InlineData("-.5")]
    [InlineData("0000001.5")]
    [InlineData("9999999")]
    [InlineData("999999.9")]
    [InlineData("-0.000001")]
    [InlineData("0.1234567")]
    [InlineData("16777216")]
    [InlineData("16777217")]
    [InlineData("99999999")]
    [InlineData("0.33333334")]
    [InlineData("1e5")]
    [InlineData("-4.2E-3")]
    [InlineData("+1.5")]
    [InlineData(" 2.5 ")]
    [InlineData("3.4028235E+38")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    public void A_number_gets_the_same_float_as_from_dotnet(string text)
    {
        CsvNumbers.TryParse(text, out var value).Should().BeTrue();

        BitConverter.SingleToInt32Bits(value).Should().Be(BitConverter.SingleToInt32Bits(DotNet(text)), $"'{text}' is {DotNet(text):R}");
    }

    [Fact]
    public void Missing_values_read_as_NaN()
    {
        CsvNumbers.TryParse("NaN", out var value).Should().BeTrue();
        value.Should().Be(float.NaN);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData(".")]
    [InlineData("-.")]
    [InlineData("1.2.3")]
    [InlineData("1-2")]
    [InlineData("--1")]
    [InlineData("1.5abc")]
    [InlineData("12,5")]
    [InlineData("c1_0")]
    public void Text_that_is_not_a_whole_number_is_refused(string text) =>
        CsvNumbers.TryParse(text, out _).Should().BeFalse();

    [Fact]
    public void Random_short_and_long_decimals_get_the_same_float_as_from_dotnet()
    {
        // Around the fast path's edges: 1 to 10 digits, the point anywhere or nowhere, either sign.
        var random = new Random(20261130);
        var mismatches = new List<string>();
        for (var n = 0; n < 200_000 && mismatches.Count < 5; n++)
        {
            var digits = random.Next(1, 11);
            var text = new string([.. Enumerable.Range(0, digits).Select(_ => (char)('0' + random.Next(10)))]);
            var point = random.Next(-1, digits + 1);
            text = point < 0 ? text : text.Insert(point, ".");
            text = random.Next(2) == 0 ? "-" + text : text;

            if (!CsvNumbers.TryParse(text, out var value) || BitConverter.SingleToInt32Bits(value) != BitConverter.SingleToInt32Bits(DotNet(text)))
            {
                mismatches.Add($"'{text}': {value:R}, .NET {DotNet(text):R}");
            }
        }

        mismatches.Should().BeEmpty();
    }

    private static float DotNet(string text) => float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
