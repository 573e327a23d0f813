using System.Buffers;
using System.Text.Json;
using MLPipeline.Serving.Dynamic;
using MLPipeline.Serving.Endpoints;
using MLPipeline.Serving.Pool;

namespace MLPipeline.Serving.Protocols;

/// <summary>
/// The <c>{"instances": [{column: value, ...}, ...]}</c> protocol, read straight from UTF-8 into the engine's input row
/// and answered straight into the engine's output buffer: one pass, no intermediate objects.
/// </summary>
public sealed class InstancesProtocol : IPredictProtocol
{
    private const int MaxColumnNameLength = 256;

    public static InstancesProtocol Instance { get; } = new();

    public string Name => "instances";

    /// <summary>Refusals are RFC 9457 problem details, the offending field named in <c>field</c>.</summary>
    public IResult Refuse(int status, string title, string detail, string? field) => Problems.Create(status, title, detail, field);

    public int Run(ReadOnlyMemory<byte> body, DynamicLease lease, string modelName, string requestId, int maxBatch, Utf8JsonWriter output)
    {
        try
        {
            return lease.Generation.Onnx is null
                ? Read(body.Span, lease, modelName, requestId, maxBatch, output)
                : OnnxInstancesProtocol.Run(body, lease, modelName, requestId, maxBatch, output);
        }
        catch (InvalidOperationException ex) when (JsonText.IsNotText(ex))
        {
            // A key outside any instance (compared, not read) holds a lone surrogate.
            throw JsonText.NotText("$");
        }
    }

    private static int Read(ReadOnlySpan<byte> body, DynamicLease lease, string modelName, string requestId, int maxBatch, Utf8JsonWriter output)
    {
        var engine = lease.Engine;
        var generation = lease.Generation;
        var rows = engine.Rows;
        rows.Clear();
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 16 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidInputException("$", "the body must be a JSON object: {\"instances\": [{...}]}.");
        }

        var count = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("instances"u8))
            {
                reader.Skip();
                continue;
            }

            if (count >= 0)
            {
                throw new InvalidInputException("instances", "appears twice.");
            }

            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new InvalidInputException("instances", "must be an array of objects, one per row.");
            }

            count = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (count == maxBatch)
                {
                    throw new InvalidInputException("instances", $"holds more than {maxBatch} instances (Serving:Limits:MaxBatchSize); split the batch.");
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new InvalidInputException(Field(count, null), "must be an object of column values.");
                }

                ReadInstance(ref reader, rows, count);
                count++;
            }

            if (count == 0)
            {
                throw new InvalidInputException("instances", "is empty; send at least one instance.");
            }
        }

        if (count < 0)
        {
            throw new InvalidInputException("instances", "is missing; send {\"instances\": [{...}]}.");
        }

        // Reading past the end surfaces any trailing garbage as a JsonException.
        while (reader.Read())
        {
        }

        // The whole body is read and valid: score every row with the engine chosen for this many, then answer.
        generation.Score(engine);
        var outputs = engine.Outputs;
        output.WriteStartObject();
        output.WriteString("model"u8, modelName);
        output.WriteString("version"u8, generation.Version);
        output.WriteString("id"u8, requestId);
        output.WriteStartArray("predictions"u8);
        if (count == 1)
        {
            PredictionJson.Write(output, outputs, 0, generation, requestId);
        }
        else
        {
            // Row ids are "<request id>-<row>", formatted on the stack.
            Span<char> id = stackalloc char[Monitoring.PredictionIds.MaxLength + 12];
            requestId.CopyTo(id);
            id[requestId.Length] = '-';
            var digits = id[(requestId.Length + 1)..];
            for (var row = 0; row < count; row++)
            {
                row.TryFormat(digits, out var written, default, System.Globalization.CultureInfo.InvariantCulture);
                PredictionJson.Write(output, outputs, row, generation, id[..(requestId.Length + 1 + written)]);
            }
        }

        output.WriteEndArray();
        output.WriteEndObject();
        return count;
    }

    private static void ReadInstance(ref Utf8JsonReader reader, RowBatch rows, int row)
    {
        var binding = rows.Binding;
        var names = binding.Utf8Names;
        Span<char> name = stackalloc char[MaxColumnNameLength];
        rows.AddRow();

        // Clients usually send the columns in the manifest's order: try the next one first, byte for byte.
        var next = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var column = -1;
            if (next < names.Count && !reader.ValueIsEscaped && !reader.HasValueSequence && reader.ValueSpan.SequenceEqual(names[next]))
            {
                column = next;
            }
            else if (reader.ValueSpan.Length <= MaxColumnNameLength && !reader.HasValueSequence)
            {
                if (!JsonText.TryCopyString(ref reader, name, out var length))
                {
                    throw JsonText.NotText(Field(row, null));
                }

                if (binding.Lookup.TryGetValue(name[..length], out var found))
                {
                    column = found;
                }
            }

            reader.Read();
            if (column < 0)
            {
                // Other fields (an id, the label, ...) are ignored.
                reader.Skip();
                continue;
            }

            if (rows.IsSet(column))
            {
                // JSON leaves a repeated name to the reader (first, last, error): refuse it rather than pick a value.
                throw new InvalidInputException(Field(row, binding.Columns[column].Name), "appears twice.");
            }

            next = column + 1;

            if (binding.Columns[column].IsText)
            {
                ReadText(ref reader, rows, column, row);
            }
            else
            {
                ReadNumber(ref reader, rows, column, row);
            }
        }

        if (rows.FirstMissingColumn() is { } missing)
        {
            throw new InvalidInputException(Field(row, missing), "is missing; every input column must be present (null for a missing value).");
        }
    }

    private static void ReadNumber(ref Utf8JsonReader reader, RowBatch rows, int column, int row)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                // Parsed straight to float, as training's CSV reader and a typed System.Text.Json binding do: through a
                // double first, a decimal near a float rounding midpoint (1.0000000596046448) could round differently.
                if (!reader.TryGetSingle(out var value) || !float.IsFinite(value))
                {
                    throw new InvalidInputException(Field(row, rows.Binding.Columns[column].Name), "is out of range for a 32-bit float.");
                }

                rows.SetNumber(column, row, value);
                break;
            case JsonTokenType.Null:
                // A missing value: the model replaces it the way it did in training.
                rows.SetNumber(column, row, float.NaN);
                break;
            case JsonTokenType.String:
                var text = JsonText.GetString(ref reader, Field(row, rows.Binding.Columns[column].Name));
                throw new InvalidInputException(Field(row, rows.Binding.Columns[column].Name),
                    IsNonFiniteName(text)
                        ? "NaN and infinities are not allowed; send null for a missing value."
                        : "must be a number (or null for a missing value), not a string.");
            default:
                throw new InvalidInputException(Field(row, rows.Binding.Columns[column].Name), $"must be a number (or null for a missing value), not {Describe(reader.TokenType)}.");
        }
    }

    private static void ReadText(ref Utf8JsonReader reader, RowBatch rows, int column, int row)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String when !reader.ValueIsEscaped && !reader.HasValueSequence:
                rows.SetTextUtf8(column, row, reader.ValueSpan);
                break;
            case JsonTokenType.String:
                rows.SetText(column, row, JsonText.GetString(ref reader, Field(row, rows.Binding.Columns[column].Name)));
                break;
            case JsonTokenType.Number:
            case JsonTokenType.True:
            case JsonTokenType.False:
                // Categories such as 0/1 arrive as JSON numbers; the model saw the same characters in the CSV.
                rows.SetTextUtf8(column, row, reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
                break;
            case JsonTokenType.Null:
                rows.SetText(column, row, default);
                break;
            default:
                throw new InvalidInputException(Field(row, rows.Binding.Columns[column].Name), $"must be a string, not {Describe(reader.TokenType)}.");
        }
    }

    private static bool IsNonFiniteName(string? text) =>
        text is not null && (text.Trim().Equals("NaN", StringComparison.OrdinalIgnoreCase) || text.Trim().TrimStart('+', '-').StartsWith("Inf", StringComparison.OrdinalIgnoreCase));

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.String => "a string",
        _ => token.ToString().ToLowerInvariant(),
    };

    internal static string Field(int row, string? column) => column is null ? $"instances[{row}]" : $"instances[{row}].{column}";
}
