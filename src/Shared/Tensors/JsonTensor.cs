using System.Globalization;
using System.Text.Json;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Shared.Tensors;

/// <summary>
/// A tensor read from JSON for an ONNX graph input: its shape and its values flattened in row-major order, in the
/// array type of its element type (float[], double[], int[], long[], bool[] or string[]). Training reads the import
/// sample with it and the service reads requests with it, so both accept the same JSON.
/// </summary>
public sealed class JsonTensor
{
    private JsonTensor(string elementType, long[] shape, Array values)
    {
        ElementType = elementType;
        Shape = shape;
        Values = values;
    }

    public string ElementType { get; }

    public long[] Shape { get; }

    public Array Values { get; }

    public int Count => Values.Length;

    /// <summary>Nested arrays whose nesting is the shape (every row at one depth the same length).</summary>
    /// <exception cref="TensorInputException">Ragged arrays, or a value that is not of <paramref name="elementType"/>.</exception>
    public static JsonTensor FromNested(JsonElement nested, string elementType, string field)
    {
        var shape = new List<long>();
        var probe = nested;
        while (probe.ValueKind == JsonValueKind.Array)
        {
            shape.Add(probe.GetArrayLength());
            if (probe.GetArrayLength() == 0)
            {
                break;
            }

            probe = probe[0];
        }

        var values = new List<JsonElement>();
        Collect(nested, shape, 0, values, field);
        return new JsonTensor(elementType, [.. shape], Convert(values, elementType, field, i => $"{field}[{i}]"));
    }

    /// <summary>The v2 protocol's <c>data</c>: flat (or nested) values and a declared shape whose size they must fill.</summary>
    public static JsonTensor FromData(JsonElement data, long[] shape, string elementType, string field)
    {
        var values = new List<JsonElement>();
        Flatten(data, values);
        // Multiplied without overflowing: dimensions like [1, 2^62, 4] wrap a long to 0, which empty data would match.
        var size = 1L;
        var overflows = false;
        foreach (var dim in shape)
        {
            overflows |= dim != 0 && size > long.MaxValue / dim;
            size = overflows ? size : size * dim;
        }

        if (shape.Contains(0))
        {
            (size, overflows) = (0, false);
        }

        if (overflows || size != values.Count)
        {
            throw new TensorInputException(field, overflows
                ? $"shape [{string.Join(", ", shape)}] holds more values than data has ({values.Count})."
                : $"shape [{string.Join(", ", shape)}] holds {size} values but data has {values.Count}.");
        }

        return new JsonTensor(elementType, shape, Convert(values, elementType, field, i => $"{field}[{i}]"));
    }

    /// <summary>
    /// One nested array per instance, all of the first one's shape, read straight into one batch whose first dimension
    /// is the instances (no tensor per instance, no copy).
    /// </summary>
    /// <param name="fieldOf">The field of instance i's value, for messages.</param>
    /// <exception cref="TensorInputException">An instance of another shape, or a value that is not of <paramref name="elementType"/>.</exception>
    public static JsonTensor FromRows(IReadOnlyList<JsonElement> rows, string elementType, Func<int, string> fieldOf)
    {
        var shape = new List<long>();
        for (var probe = rows[0]; probe.ValueKind == JsonValueKind.Array; probe = probe[0])
        {
            shape.Add(probe.GetArrayLength());
            if (probe.GetArrayLength() == 0)
            {
                break;
            }
        }

        var size = shape.Aggregate(1L, (a, b) => a * b);
        var values = new List<JsonElement>((int)Math.Min(size * rows.Count, 1 << 20));
        for (var r = 0; r < rows.Count; r++)
        {
            Collect(rows[r], shape, 0, values, fieldOf(r), r == 0 ? null : $" as instance 0's (shape [{string.Join(", ", shape)}])");
        }

        var convert = Convert(values, elementType, fieldOf(0), i => $"{fieldOf((int)(i / Math.Max(size, 1)))}[{i % Math.Max(size, 1)}]");
        return new JsonTensor(elementType, [rows.Count, .. shape], convert);
    }

    /// <summary>Why <paramref name="shape"/> does not fit the graph's input (wrong rank or a fixed dimension that differs), or null.</summary>
    public static string? ShapeProblem(OnnxTensor input, IReadOnlyList<long> shape)
    {
        var expected = $"[{string.Join(", ", input.Shape.Select(d => d < 0 ? "-1" : d.ToString(CultureInfo.InvariantCulture)))}]";
        if (shape.Count != input.Shape.Count)
        {
            return $"input '{input.Name}' has shape [{string.Join(", ", shape)}] but the graph takes {expected} (rank {input.Shape.Count}, -1 = any size).";
        }

        for (var d = 0; d < shape.Count; d++)
        {
            if (input.Shape[d] >= 0 && input.Shape[d] != shape[d])
            {
                return $"input '{input.Name}' has shape [{string.Join(", ", shape)}] but the graph takes {expected}: dimension {d} must be {input.Shape[d]}.";
            }
        }

        return null;
    }

    private static void Collect(JsonElement element, List<long> shape, int depth, List<JsonElement> values, string field, string? reference = null)
    {
        if (depth == shape.Count)
        {
            if (element.ValueKind == JsonValueKind.Array)
            {
                throw new TensorInputException(field, $"is ragged: an array at depth {depth} where other rows hold values{reference}.");
            }

            values.Add(element);
            return;
        }

        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() != shape[depth])
        {
            throw new TensorInputException(field, reference is null
                ? $"is ragged: every array at depth {depth} must hold {shape[depth]} items, as the first does."
                : $"must have the same shape{reference}: an array of {shape[depth]} items at depth {depth}.");
        }

        foreach (var item in element.EnumerateArray())
        {
            Collect(item, shape, depth + 1, values, field, reference);
        }
    }

    private static void Flatten(JsonElement data, List<JsonElement> values)
    {
        if (data.ValueKind != JsonValueKind.Array)
        {
            values.Add(data);
            return;
        }

        foreach (var item in data.EnumerateArray())
        {
            Flatten(item, values);
        }
    }

    private static Array Convert(List<JsonElement> values, string elementType, string field, Func<int, string> fieldOf) => elementType switch
    {
        "float" => Read(values, fieldOf, static (JsonElement v, out float r, out string? p) => { var ok = TryNumber(v, float.MaxValue, out var d, out p); r = (float)d; return ok; }),
        "double" => Read(values, fieldOf, static (JsonElement v, out double r, out string? p) => TryNumber(v, double.MaxValue, out r, out p)),
        "int32" => Read(values, fieldOf, static (JsonElement v, out int r, out string? p) =>
        {
            r = 0;
            return Ok(v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out r), "must be a 32-bit integer (INT32).", out p);
        }),
        "int64" => Read(values, fieldOf, static (JsonElement v, out long r, out string? p) =>
        {
            r = 0;
            return Ok(v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out r), "must be a 64-bit integer (INT64).", out p);
        }),
        "bool" => Read(values, fieldOf, static (JsonElement v, out bool r, out string? p) =>
        {
            r = v.ValueKind == JsonValueKind.True;
            return Ok(v.ValueKind is JsonValueKind.True or JsonValueKind.False, "must be true or false (BOOL).", out p);
        }),
        "string" => Read(values, fieldOf, static (JsonElement v, out string r, out string? p) =>
        {
            r = v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
            return Ok(v.ValueKind == JsonValueKind.String, "must be a string (BYTES).", out p);
        }),
        _ => throw new TensorInputException(field, $"element type '{elementType}' cannot be sent as JSON."),
    };

    private delegate bool TryRead<T>(JsonElement value, out T result, out string? problem);

    /// <summary>Converts every value; the field of a bad one is only put into words when there is one.</summary>
    private static T[] Read<T>(List<JsonElement> values, Func<int, string> fieldOf, TryRead<T> read)
    {
        var result = new T[values.Count];
        for (var i = 0; i < result.Length; i++)
        {
            if (!read(values[i], out result[i], out var problem))
            {
                throw new TensorInputException(fieldOf(i), problem!);
            }
        }

        return result;
    }

    private static bool Ok(bool ok, string problem, out string? result)
    {
        result = ok ? null : problem;
        return ok;
    }

    /// <summary>A float input takes NaN and infinities as null or the strings "NaN", "Infinity", "-Infinity" (JSON has no literal for them).</summary>
    private static bool TryNumber(JsonElement value, double max, out double number, out string? problem)
    {
        problem = null;
        switch (value.ValueKind)
        {
            case JsonValueKind.Number when value.TryGetDouble(out number) && Math.Abs(number) <= max:
                return true;
            case JsonValueKind.Number:
                number = 0;
                problem = "is out of range for the input's floating-point type.";
                return false;
            case JsonValueKind.Null:
                number = double.NaN;
                return true;
            case JsonValueKind.String:
                number = value.GetString() switch
                {
                    "NaN" or "nan" => double.NaN,
                    "Infinity" or "inf" => double.PositiveInfinity,
                    "-Infinity" or "-inf" => double.NegativeInfinity,
                    _ => 0,
                };
                if (number == 0)
                {
                    problem = "must be a number (null or \"NaN\" for NaN).";
                    return false;
                }

                return true;
            default:
                number = 0;
                problem = "must be a number (null or \"NaN\" for NaN).";
                return false;
        }
    }
}
