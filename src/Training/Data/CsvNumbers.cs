using System.Globalization;
using System.Runtime.CompilerServices;

namespace MLPipeline.Training.Data;

/// <summary>
/// The one way a CSV value becomes a number, for the profile, the stored rows and a spec's expectation rows
/// alike: invariant culture, decimal point, optional exponent, surrounding white space allowed; "NaN" is a
/// missing value, "Infinity" a number that is refused where it is used.
/// </summary>
public static class CsvNumbers
{
    // 10^0 .. 10^7: every power a short decimal divides by, each exact as a float.
    private static readonly float[] PowersOfTen = [1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f];

    public static bool TryParse(ReadOnlySpan<char> text, out float value) =>
        TryParseShortDecimal(text, out value) || TryParseAnyForm(text, out value);

    // Not inlined: the full parsers' large stack frame, zeroed on every call, stays off the common path.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryParseAnyForm(ReadOnlySpan<char> text, out float value)
    {
        // csFastFloat (inside Sep) parses the other plain forms several times faster; .NET takes what it leaves (white
        // space, a leading '+', "Infinity"). Both round correctly, so a value gets the same float either way.
        // It also stops at the first character it cannot take ("1.5abc" is 1.5): only a whole-field parse counts.
        if (csFastFloat.FastFloatParser.TryParseFloat(text, out var consumed, out value) && consumed == text.Length)
        {
            return true;
        }

        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// The usual CSV number, "-12.3456": an optional minus, at most 7 digits, at most one decimal point, nothing else.
    /// Its digits make an integer below 2^24 and its decimals a power of ten up to 10^7, both exact as floats, so one
    /// IEEE division rounds the quotient correctly: the float every correct parser gives (Clinger's fast path). In
    /// a profile that is most of the values, at about two thirds of csFastFloat's time for each; anything else is left
    /// to the full parsers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryParseShortDecimal(ReadOnlySpan<char> text, out float value)
    {
        value = 0;
        var i = text.Length > 0 && text[0] == '-' ? 1 : 0;
        var negative = i == 1;
        if (text.Length - i is 0 or > 8)
        {
            return false;
        }

        uint digits = 0;
        var decimals = -1;
        for (; i < text.Length; i++)
        {
            var digit = (uint)(text[i] - '0');
            if (digit <= 9)
            {
                digits = (digits * 10) + digit;
                decimals += decimals >= 0 ? 1 : 0;
            }
            else if (text[i] == '.' && decimals < 0)
            {
                decimals = 0;
            }
            else
            {
                return false;
            }
        }

        // Eight characters are seven digits and a point, or eight digits (which may pass 2^24): only the first is exact.
        var digitCount = text.Length - (negative ? 1 : 0) - (decimals >= 0 ? 1 : 0);
        if (digitCount is 0 or > 7)
        {
            return false;
        }

        var number = decimals > 0 ? digits / PowersOfTen[decimals] : digits;
        value = negative ? -number : number;
        return true;
    }
}
