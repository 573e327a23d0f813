using System.Text.Json;
using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Dynamic;

/// <summary>One prediction as JSON, with its id: regression <c>{"score"}</c>, binary <c>{"label","probability","score"}</c>, multiclass <c>{"label","scores"}</c>.</summary>
internal static class PredictionJson
{
    public static void Write(Utf8JsonWriter output, BatchOutputs outputs, int row, ModelGeneration generation, ReadOnlySpan<char> id)
    {
        output.WriteStartObject();
        output.WriteString("id"u8, id);
        switch (outputs.Task)
        {
            case ModelTask.Regression:
                WriteFloat(output, "score"u8, outputs.Score[row]);
                break;
            case ModelTask.Binary:
                output.WriteString("label"u8, generation.ClassNames[outputs.Positive[row] ? 1 : 0]);
                WriteFloat(output, "probability"u8, outputs.Probability[row]);
                WriteFloat(output, "score"u8, outputs.Score[row]);
                break;
            default:
                output.WriteString("label"u8, outputs.Label[row].Span);
                output.WriteStartObject("scores"u8);
                var scores = outputs.ScoresOf(row);
                var names = generation.ClassNames;
                for (var i = 0; i < scores.Length && i < names.Length; i++)
                {
                    WriteFloat(output, names[i], scores[i]);
                }

                output.WriteEndObject();
                break;
        }

        output.WriteEndObject();
    }

    /// <summary>JSON has no NaN: a model that cannot score an input answers null rather than failing the request.</summary>
    public static void WriteFloat(Utf8JsonWriter output, ReadOnlySpan<byte> name, float value)
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

    public static void WriteFloat(Utf8JsonWriter output, JsonEncodedText name, float value)
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
