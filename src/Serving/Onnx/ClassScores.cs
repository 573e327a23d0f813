using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MLPipeline.Serving.Onnx;

/// <summary>
/// <c>label</c> and <c>scores</c> by class name for one row, like an ML.NET classifier's answer, from the output the
/// import named as the class scores: a probability vector (last dimension one score per class) or a ZipMap (int64
/// keys index the labels; string keys are the class names). The label is the class with the highest score.
/// </summary>
internal static class ClassScores
{
    public static void Write(Utf8JsonWriter output, OrtValue scores, int row, OnnxModel model)
    {
        var classes = model.Classes;
        if (scores.OnnxType == OnnxValueType.ONNX_TYPE_TENSOR)
        {
            var best = -1;
            var bestScore = float.NegativeInfinity;
            var all = scores.GetTensorTypeAndShape().ElementDataType == TensorElementType.Float ? scores.GetTensorDataAsSpan<float>() : OnnxValueJson.Scores(scores);
            var scoresOfRow = all.Slice(row * classes.Length, classes.Length);
            for (var k = 0; k < classes.Length; k++)
            {
                var value = scoresOfRow[k];
                if (best < 0 || value > bestScore)
                {
                    (best, bestScore) = (k, value);
                }
            }

            output.WriteString("label"u8, classes[best]);
            output.WriteStartObject("scores"u8);
            for (var k = 0; k < classes.Length; k++)
            {
                WriteScore(output, classes[k], scoresOfRow[k]);
            }

            output.WriteEndObject();
            return;
        }

        using var map = scores.GetValue(row, OrtAllocator.DefaultInstance);
        using var keys = map.GetValue(0, OrtAllocator.DefaultInstance);
        using var values = map.GetValue(1, OrtAllocator.DefaultInstance);
        var count = (int)keys.GetTensorTypeAndShape().ElementCount;
        var probabilities = values.GetTensorTypeAndShape().ElementDataType == TensorElementType.Float ? values.GetTensorDataAsSpan<float>() : OnnxValueJson.Scores(values);
        var top = -1;
        var topScore = float.NegativeInfinity;
        for (var i = 0; i < count; i++)
        {
            var value = probabilities[i];
            if (top < 0 || value > topScore)
            {
                (top, topScore) = (i, value);
            }
        }

        if (top >= 0)
        {
            output.WriteString("label"u8, Name(keys, top, model.ClassNames));
        }

        output.WriteStartObject("scores"u8);
        for (var i = 0; i < count; i++)
        {
            WriteScore(output, Name(keys, i, model.ClassNames), probabilities[i]);
        }

        output.WriteEndObject();
    }

    private static string Name(OrtValue keys, int index, string[] classes)
    {
        if (keys.GetTensorTypeAndShape().ElementDataType == TensorElementType.Int64)
        {
            var key = keys.GetTensorDataAsSpan<long>()[index];
            return key >= 0 && key < classes.Length ? classes[key] : key.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return keys.GetStringElement(index);
    }

    private static void WriteScore(Utf8JsonWriter output, JsonEncodedText name, float value)
    {
        if (float.IsFinite(value))
        {
            output.WriteNumber(name, value);
        }
        else
        {
            output.WriteNull(name);
        }
    }

    private static void WriteScore(Utf8JsonWriter output, string name, float value)
    {
        if (float.IsFinite(value))
        {
            output.WriteNumber(name, value);
        }
        else
        {
            output.WriteNull(name);
        }
    }
}
