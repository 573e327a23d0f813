using System.Text.Json;
using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Monitoring;

namespace MLPipeline.Serving.Monitoring;

/// <summary>
/// One JSON line per logged prediction: <c>{"time","replica","model","version","id","latencyMs","inputs":{column: value},
/// "outputs":{...}}</c> (outputs as the predict route answers them), columns in the manifest's <c>monitoring.exclude</c>
/// left out; and one per feedback item: <c>{"time","replica","model","id","version","label"}</c>.
/// </summary>
public static class RecordJson
{
    public static void WritePrediction(Utf8JsonWriter writer, ObservedPrediction prediction, string replica)
    {
        var manifest = prediction.Generation.Manifest;
        var exclude = manifest.Monitoring?.Exclude;
        writer.WriteStartObject();
        writer.WriteString("time"u8, prediction.Time);
        writer.WriteString("replica"u8, replica);
        writer.WriteString("model"u8, prediction.Model);
        writer.WriteString("version"u8, prediction.Version);
        writer.WriteString("id"u8, prediction.Id);
        writer.WriteNumber("latencyMs"u8, Math.Round(prediction.LatencyMilliseconds, 4));
        writer.WriteStartObject("inputs"u8);
        for (var c = 0; c < manifest.Inputs.Count; c++)
        {
            var name = manifest.Inputs[c].Name;
            if (exclude is not null && exclude.Contains(name))
            {
                continue;
            }

            switch (prediction.Inputs[c])
            {
                case float number:
                    writer.WriteNumber(name, number);
                    break;
                case string text:
                    writer.WriteString(name, text);
                    break;
                default:
                    writer.WriteNull(name);
                    break;
            }
        }

        writer.WriteEndObject();
        writer.WriteStartObject("outputs"u8);
        var output = prediction.Output;
        switch (manifest.Task)
        {
            case ModelTask.Regression:
                WriteFloat(writer, "score", output.Score);
                break;
            case ModelTask.Binary:
                writer.WriteString("label"u8, output.Label);
                WriteFloat(writer, "probability", output.Probability);
                WriteFloat(writer, "score", output.Score);
                break;
            default:
                writer.WriteString("label"u8, output.Label);
                writer.WriteStartObject("scores"u8);
                var classes = prediction.Generation.ClassNames;
                for (var k = 0; k < classes.Length && k < output.Scores!.Length; k++)
                {
                    WriteFloat(writer, classes[k].Value, output.Scores[k]);
                }

                writer.WriteEndObject();
                break;
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public static void WriteFeedback(Utf8JsonWriter writer, DateTimeOffset time, string replica, string model, string id, string? version, JsonElement label)
    {
        writer.WriteStartObject();
        writer.WriteString("time"u8, time);
        writer.WriteString("replica"u8, replica);
        writer.WriteString("model"u8, model);
        writer.WriteString("id"u8, id);
        if (version is null)
        {
            writer.WriteNull("version"u8);
        }
        else
        {
            writer.WriteString("version"u8, version);
        }

        writer.WritePropertyName("label"u8);
        label.WriteTo(writer);
        writer.WriteEndObject();
    }

    private static void WriteFloat(Utf8JsonWriter writer, string name, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
