using System.Globalization;
using System.Text;
using System.Text.Json;
using MLPipeline.Serving.Endpoints;
using MLPipeline.Serving.Protocols;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Ui;

/// <summary>
/// The Try-it form's prediction: the form's values become the body <c>POST /models/{name}/predict</c> takes, and go
/// through that route's own pipeline (same parsing, refusals, engine and metrics), in process, so the page shows
/// exactly what a client would get.
/// </summary>
public sealed class TryItPrediction(PredictPipeline pipeline)
{
    public sealed record Answer(int Status, string Body, string? Version);

    /// <summary>One instance from form values: numbers as numbers, an empty field as null (missing), text as text.</summary>
    public static byte[] Body(IReadOnlyList<InputColumn> inputs, Func<string, string?> value)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("instances");
            json.WriteStartObject();
            foreach (var column in inputs)
            {
                var text = value(column.Name);
                if (string.IsNullOrWhiteSpace(text))
                {
                    json.WriteNull(column.Name);
                }
                else if (column.Type == "Single" && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    json.WriteNumber(column.Name, number);
                }
                else
                {
                    // Not a number in a numeric column: sent as text, so the service's refusal names the column.
                    json.WriteString(column.Name, text);
                }
            }

            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>One instance of an imported ONNX model: each graph input's value as the JSON typed in (nested arrays, no batch dimension).</summary>
    public static byte[] GraphBody(IReadOnlyList<OnnxTensor> inputs, Func<string, string?> value)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("instances");
            json.WriteStartObject();
            foreach (var input in inputs)
            {
                json.WritePropertyName(input.Name);
                var text = value(input.Name);
                try
                {
                    json.WriteRawValue(string.IsNullOrWhiteSpace(text) ? "null" : text);
                }
                catch (JsonException)
                {
                    // Not JSON: sent as text, so the service's refusal names the input.
                    json.WriteStringValue(text);
                }
            }

            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The graph's sample value of one input for one instance: without the batch dimension when that is dynamic.</summary>
    public static string? GraphSample(OnnxGraph graph, OnnxTensor input)
    {
        if (graph.SampleInput.ValueKind != JsonValueKind.Object || !graph.SampleInput.TryGetProperty(input.Name, out var sample))
        {
            return null;
        }

        return input.Shape is [-1, ..] && sample.ValueKind == JsonValueKind.Array && sample.GetArrayLength() == 1
            ? sample[0].GetRawText()
            : sample.GetRawText();
    }

    public async Task<Answer> PredictAsync(HttpContext page, string name, byte[] body)
    {
        var context = new DefaultHttpContext { RequestServices = page.RequestServices, RequestAborted = page.RequestAborted };
        context.Request.Method = HttpMethods.Post;
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = body.Length;
        context.Request.Body = new MemoryStream(body);
        using var response = new MemoryStream();
        context.Response.Body = response;

        await pipeline.HandleAsync(context, InstancesProtocol.Instance, name);
        await context.Response.CompleteAsync();
        var version = context.Response.Headers[PredictPipeline.VersionHeader].ToString();
        return new Answer(context.Response.StatusCode, Pretty(response.ToArray()), version.Length > 0 ? version : null);
    }

    private static string Pretty(byte[] json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(document.RootElement, PrettyJson);
        }
        catch (JsonException)
        {
            return Encoding.UTF8.GetString(json);
        }
    }

    private static readonly JsonSerializerOptions PrettyJson = new() { WriteIndented = true };
}
