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

    /// <summary>System.Text.Json's refusal to unescape a name or string that is not text (anywhere: a key it compares, say).</summary>
    public static bool IsNotText(InvalidOperationException ex) => ex.TargetSite?.DeclaringType?.Assembly == typeof(Utf8JsonReader).Assembly;

    /// <summary>The same refusal as the client's error, for a place where no finer field is known.</summary>
    public static InvalidInputException NotText(string field) => new(field, LoneSurrogate);

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

    /// <summary>Copies the current name or string; false when it is not text (the caller names the field, only then).</summary>
    public static bool TryCopyString(ref Utf8JsonReader reader, scoped Span<char> destination, out int length)
    {
        try
        {
            length = reader.CopyString(destination);
            return true;
        }
        catch (InvalidOperationException)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>
    /// A request body as a document, refusing a name given twice in one object: JSON leaves which value counts to the
    /// reader, so the service answers neither. Comparing names unescapes them, which a lone surrogate makes fail.
    /// </summary>
    public static JsonDocument Parse(ReadOnlyMemory<byte> body, int maxDepth)
    {
        try
        {
            return JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = maxDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException ex) when (ex.Message.StartsWith("Duplicate property", StringComparison.Ordinal))
        {
            // Valid JSON, so not "Malformed JSON"; System.Text.Json's message names the property, its path is not known.
            throw new InvalidInputException("$", $"gives a name twice in one object ({ex.Message.TrimEnd('.')}); give each name once.");
        }
        catch (InvalidOperationException ex) when (IsNotText(ex))
        {
            throw NotText("$");
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
