using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MLPipeline.Serving.Onnx;

/// <summary>
/// ONNX Runtime's output values as JSON, without copying them out first: a tensor flat (v2 <c>data</c>) or one row of
/// it as nested arrays (instances), a sequence of maps (ZipMap) as one object per row. NaN and infinities become null.
/// </summary>
internal static class OnnxValueJson
{
    /// <summary>The tensor's shape; a map sequence's is [rows].</summary>
    public static long[] Shape(OrtValue value) =>
        value.OnnxType == OnnxValueType.ONNX_TYPE_TENSOR ? value.GetTensorTypeAndShape().Shape : [value.GetValueCount()];

    public static string Datatype(OrtValue value) => value.OnnxType != OnnxValueType.ONNX_TYPE_TENSOR
        ? "BYTES"
        : value.GetTensorTypeAndShape().ElementDataType switch
        {
            TensorElementType.Float => "FP32",
            TensorElementType.Double => "FP64",
            TensorElementType.Int32 => "INT32",
            TensorElementType.Int64 => "INT64",
            TensorElementType.Bool => "BOOL",
            _ => "BYTES",
        };

    /// <summary>Every element in row-major order (a map sequence: one object per row).</summary>
    public static void WriteFlat(Utf8JsonWriter output, OrtValue value)
    {
        output.WriteStartArray();
        if (value.OnnxType == OnnxValueType.ONNX_TYPE_TENSOR)
        {
            // The type and shape are read once per value: each read is a call into ONNX Runtime.
            var info = value.GetTensorTypeAndShape();
            var count = (int)info.ElementCount;
            for (var i = 0; i < count; i++)
            {
                WriteElement(output, value, info.ElementDataType, i);
            }
        }
        else
        {
            for (var row = 0; row < value.GetValueCount(); row++)
            {
                WriteMap(output, value, row);
            }
        }

        output.WriteEndArray();
    }

    /// <summary>Row <paramref name="row"/> of the first dimension: a scalar for a [rows] tensor, nested arrays for more dimensions.</summary>
    public static void WriteRow(Utf8JsonWriter output, OrtValue value, int row)
    {
        if (value.OnnxType != OnnxValueType.ONNX_TYPE_TENSOR)
        {
            WriteMap(output, value, row);
            return;
        }

        var info = value.GetTensorTypeAndShape();
        var shape = info.Shape;
        var size = 1L;
        for (var d = 1; d < shape.Length; d++)
        {
            size *= shape[d];
        }

        var index = (int)(row * size);
        WriteNested(output, value, info.ElementDataType, shape, 1, ref index);
    }

    /// <summary>Class scores as floats (a double tensor converted), read once per value.</summary>
    public static float[] Scores(OrtValue value) => value.GetTensorTypeAndShape().ElementDataType == TensorElementType.Double
        ? [.. value.GetTensorDataAsSpan<double>().ToArray().Select(d => (float)d)]
        : value.GetTensorDataAsSpan<float>().ToArray();

    private static void WriteNested(Utf8JsonWriter output, OrtValue value, TensorElementType type, long[] shape, int depth, ref int index)
    {
        if (depth == shape.Length)
        {
            WriteElement(output, value, type, index++);
            return;
        }

        output.WriteStartArray();
        for (var i = 0; i < shape[depth]; i++)
        {
            WriteNested(output, value, type, shape, depth + 1, ref index);
        }

        output.WriteEndArray();
    }

    private static void WriteElement(Utf8JsonWriter output, OrtValue value, TensorElementType type, int index)
    {
        switch (type)
        {
            case TensorElementType.Float:
                WriteNumber(output, value.GetTensorDataAsSpan<float>()[index]);
                break;
            case TensorElementType.Double:
                WriteNumber(output, value.GetTensorDataAsSpan<double>()[index]);
                break;
            case TensorElementType.Int32:
                output.WriteNumberValue(value.GetTensorDataAsSpan<int>()[index]);
                break;
            case TensorElementType.Int64:
                output.WriteNumberValue(value.GetTensorDataAsSpan<long>()[index]);
                break;
            case TensorElementType.Bool:
                output.WriteBooleanValue(value.GetTensorDataAsSpan<bool>()[index]);
                break;
            default:
                output.WriteStringValue(value.GetStringElement(index));
                break;
        }
    }

    /// <summary>One map of a ZipMap's sequence: <c>{"key": value}</c>.</summary>
    private static void WriteMap(Utf8JsonWriter output, OrtValue sequence, int row)
    {
        using var map = sequence.GetValue(row, OrtAllocator.DefaultInstance);
        using var keys = map.GetValue(0, OrtAllocator.DefaultInstance);
        using var values = map.GetValue(1, OrtAllocator.DefaultInstance);
        output.WriteStartObject();
        var count = (int)keys.GetTensorTypeAndShape().ElementCount;
        var type = values.GetTensorTypeAndShape().ElementDataType;
        for (var i = 0; i < count; i++)
        {
            output.WritePropertyName(Key(keys, i));
            WriteElement(output, values, type, i);
        }

        output.WriteEndObject();
    }

    /// <summary>A map key as text: int64 keys in decimal.</summary>
    public static string Key(OrtValue keys, int index) =>
        keys.GetTensorTypeAndShape().ElementDataType == TensorElementType.Int64
            ? keys.GetTensorDataAsSpan<long>()[index].ToString(System.Globalization.CultureInfo.InvariantCulture)
            : keys.GetStringElement(index);

    private static void WriteNumber(Utf8JsonWriter output, double value)
    {
        if (double.IsFinite(value))
        {
            output.WriteNumberValue(value);
        }
        else
        {
            output.WriteNullValue();
        }
    }

    private static void WriteNumber(Utf8JsonWriter output, float value)
    {
        if (float.IsFinite(value))
        {
            output.WriteNumberValue(value);
        }
        else
        {
            output.WriteNullValue();
        }
    }
}
