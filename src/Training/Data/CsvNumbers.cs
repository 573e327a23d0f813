using System.Globalization;

namespace MLPipeline.Training.Data;

/// <summary>
/// The one way a CSV value becomes a number, for the profile, the stored rows and a spec's expectation rows
/// alike: invariant culture, decimal point, optional exponent, surrounding white space allowed; "NaN" is a
/// missing value, "Infinity" a number that is refused where it is used.
/// </summary>
public static class CsvNumbers
{
    public static bool TryParse(ReadOnlySpan<char> text, out float value)
    {
        // csFastFloat (inside Sep) parses the plain forms several times faster; .NET takes what it leaves (white
        // space, a leading '+', "Infinity"). Both round correctly, so a value gets the same float either way.
        // It also stops at the first character it cannot take ("1.5abc" is 1.5): only a whole-field parse counts.
        if (csFastFloat.FastFloatParser.TryParseFloat(text, out var consumed, out value) && consumed == text.Length)
        {
            return true;
        }

        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
