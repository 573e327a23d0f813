using System.Text.Json;
using MLPipeline.Serving.Pool;

namespace MLPipeline.Serving.Protocols;

/// <summary>
/// Reads JSON strings that a client controls. A JSON escape may name a lone UTF-16 surrogate (<c>"\ud800"</c>): valid
/// JSON, but not text, and System.Text.Json refuses to turn it into a string with an InvalidOperationException. Here
/// that becomes the client's error, naming the field.
/// </summary>
internal static class JsonText
{
    private const string LoneSurrogate = "holds an escape that is not text (a lone UTF-16 surrogate such as \\ud800).";

    public static string? GetString(ref Utf8JsonReader reader, string field)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            throw new InvalidInputException(field, LoneSurrogate);
        }
    }

    public static int CopyString(ref Utf8JsonReader reader, scoped Span<char> destination, string field)
    {
        try
        {
            return reader.CopyString(destination);
        }
        catch (InvalidOperationException)
        {
            throw new InvalidInputException(field, LoneSurrogate);
        }
    }

    public static string? GetString(JsonElement element, string field)
    {
        try
        {
            return element.GetString();
        }
        catch (InvalidOperationException)
        {
            throw new InvalidInputException(field, LoneSurrogate);
        }
    }
}
