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
        return new JsonTensor(elementType, [.. shape], Convert(values, elementType, field));
    }

    /// <summary>The v2 protocol's <c>data</c>: flat (or nested) values and a declared shape whose size they must fill.</summary>
    public static JsonTensor FromData(JsonElement data, long[] shape, string elementType, string field)
    {
        var values = new List<JsonElement>();
        Flatten(data, values);
        var size = shape.Aggregate(1L, (a, b) => a * b);
        if (size != values.Count)
        {
            throw new TensorInputException(field, $"shape [{string.Join(", ", shape)}] holds {size} values but data has {values.Count}.");
        }

        return new JsonTensor(elementType, shape, Convert(values, elementType, field));
    }

    /// <summary>One tensor per instance, stacked along a new first dimension (the batch).</summary>
    /// <exception cref="TensorInputException">The instances have different shapes.</exception>
    public static JsonTensor Stack(IReadOnlyList<JsonTensor> rows, string field)
    {
        var first = rows[0];
        for (var i = 1; i < rows.Count; i++)
        {
            if (!rows[i].Shape.SequenceEqual(first.Shape))
            {
                throw new TensorInputException(field, $"instance {i} has shape [{string.Join(", ", rows[i].Shape)}] but instance 0 has [{string.Join(", ", first.Shape)}].");
            }
        }

        var values = Array.CreateInstance(first.Values.GetType().GetElementType()!, first.Count * rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Array.Copy(rows[i].Values, 0, values, i * first.Count, first.Count);
        }

        return new JsonTensor(first.ElementType, [rows.Count, .. first.Shape], values);
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

    private static void Collect(JsonElement element, List<long> shape, int depth, List<JsonElement> values, string field)
    {
        if (depth == shape.Count)
        {
            if (element.ValueKind == JsonValueKind.Array)
            {
                throw new TensorInputException(field, $"is ragged: an array at depth {depth} where other rows hold values.");
            }

            values.Add(element);
            return;
        }

        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() != shape[depth])
        {
            throw new TensorInputException(field, $"is ragged: every array at depth {depth} must hold {shape[depth]} items, as the first does.");
        }

        foreach (var item in element.EnumerateArray())
        {
            Collect(item, shape, depth + 1, values, field);
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

    private static Array Convert(List<JsonElement> values, string elementType, string field) => elementType switch
    {
        "float" => Read(values, field, (v, at) => (float)Number(v, at, float.MaxValue)),
        "double" => Read(values, field, (v, at) => Number(v, at, double.MaxValue)),
        "int32" => Read(values, field, (v, at) => v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : throw new TensorInputException(at, "must be a 32-bit integer (INT32).")),
        "int64" => Read(values, field, (v, at) => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) ? l : throw new TensorInputException(at, "must be a 64-bit integer (INT64).")),
        "bool" => Read(values, field, (v, at) => v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw new TensorInputException(at, "must be true or false (BOOL).")),
        "string" => Read(values, field, (v, at) => v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new TensorInputException(at, "must be a string (BYTES).")),
        _ => throw new TensorInputException(field, $"element type '{elementType}' cannot be sent as JSON."),
    };

    private static T[] Read<T>(List<JsonElement> values, string field, Func<JsonElement, string, T> read)
    {
        var result = new T[values.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = read(values[i], $"{field}[{i}]");
        }

        return result;
    }

    /// <summary>A float input takes NaN and infinities as null or the strings "NaN", "Infinity", "-Infinity" (JSON has no literal for them).</summary>
    private static double Number(JsonElement value, string field, double max)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number when value.TryGetDouble(out var number) && Math.Abs(number) <= max:
                return number;
            case JsonValueKind.Number:
                throw new TensorInputException(field, "is out of range for the input's floating-point type.");
            case JsonValueKind.Null:
                return double.NaN;
            case JsonValueKind.String when value.GetString() is "NaN" or "nan":
                return double.NaN;
            case JsonValueKind.String when value.GetString() is "Infinity" or "inf":
                return double.PositiveInfinity;
            case JsonValueKind.String when value.GetString() is "-Infinity" or "-inf":
                return double.NegativeInfinity;
            default:
                throw new TensorInputException(field, "must be a number (null or \"NaN\" for NaN).");
        }
    }
}
