using System.Text.Json;
using MLPipeline.Serving.Dynamic;
using MLPipeline.Serving.Pool;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Serving.Protocols;

/// <summary>
/// Open Inference Protocol v2 (KServe) inference: one input tensor per column, <c>shape</c> [rows] or [rows, 1];
/// numeric columns take FP32/FP64/INT*/UINT*, text columns BYTES. Errors are <c>{"error": "..."}</c>.
/// </summary>
public sealed class InferenceProtocol : IPredictProtocol
{
    private static readonly HashSet<string> NumericTypes = ["FP16", "FP32", "FP64", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64"];

    private const int ColumnDepth = 16;
    private const int TensorDepth = 64;

    public static InferenceProtocol Instance { get; } = new();

    public string Name => "v2";

    public IResult Refuse(int status, string title, string detail, string? field) => Error(status, detail);

    public static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    public int Run(ReadOnlyMemory<byte> body, DynamicLease lease, string modelName, string requestId, int maxBatch, Utf8JsonWriter output)
    {
        // Nested data of a multi-dimensional tensor (ONNX models) may be deeper than a column's.
        using var document = JsonText.Parse(body, lease.Generation.Onnx is null ? ColumnDepth : TensorDepth);
        try
        {
            return lease.Generation.Onnx is null
                ? Predict(document.RootElement, lease, modelName, requestId, maxBatch, output)
                : OnnxInferenceProtocol.Run(document.RootElement, lease, modelName, requestId, maxBatch, output);
        }
        catch (InvalidOperationException ex) when (JsonText.IsNotText(ex))
        {
            // A property name that lookups compare holds a lone surrogate.
            throw JsonText.NotText("$");
        }
    }

    private static int Predict(JsonElement root, DynamicLease lease, string modelName, string requestId, int maxBatch, Utf8JsonWriter output)
    {
        var engine = lease.Engine;
        var binding = engine.Binding;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidInputException("inputs", "the body must be an object with an 'inputs' array (one tensor per input column).");
        }

        var columns = new List<JsonElement>?[binding.Columns.Count];
        var rows = -1;
        var index = 0;
        foreach (var input in inputs.EnumerateArray())
        {
            var field = $"inputs[{index++}]";
            if (input.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidInputException(field, "must be a tensor object {name, shape, datatype, data}.");
            }

            var name = input.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? JsonText.GetString(n, field + ".name")! : throw new InvalidInputException(field + ".name", "is required.");
            var column = binding.IndexOf(name);
            if (column < 0)
            {
                throw new InvalidInputException(field + ".name", $"'{name}' is not an input of model '{modelName}' (inputs: {string.Join(", ", binding.Columns.Select(c => c.Name))}).");
            }

            if (columns[column] is not null)
            {
                throw new InvalidInputException(field + ".name", $"input '{name}' appears twice.");
            }

            var datatype = input.TryGetProperty("datatype", out var d) && d.ValueKind == JsonValueKind.String ? JsonText.GetString(d, field + ".datatype")! : throw new InvalidInputException(field + ".datatype", "is required.");
            var isText = binding.Columns[column].IsText;
            if (isText ? datatype != "BYTES" : !NumericTypes.Contains(datatype))
            {
                throw new InvalidInputException(field + ".datatype", $"input '{name}' needs {(isText ? "BYTES" : "a numeric datatype such as FP32")}, not '{datatype}'.");
            }

            var shape = ReadShape(input, field);
            if (!input.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidInputException(field + ".data", "is required and must be an array.");
            }

            var values = new List<JsonElement>();
            Flatten(data, values, field + ".data");
            if (shape.Length is < 1 or > 2 || (shape.Length == 2 && shape[1] != 1) || shape[0] != values.Count)
            {
                throw new InvalidInputException(field + ".shape", $"must be [rows] or [rows, 1] matching the {values.Count} values in data.");
            }

            if (rows >= 0 && rows != values.Count)
            {
                throw new InvalidInputException(field + ".shape", $"has {values.Count} rows but an earlier input has {rows}.");
            }

            rows = values.Count;
            columns[column] = values;
        }

        for (var c = 0; c < columns.Length; c++)
        {
            if (columns[c] is null)
            {
                throw new InvalidInputException("inputs", $"input '{binding.Columns[c].Name}' is missing.");
            }
        }

        if (rows <= 0)
        {
            throw new InvalidInputException("inputs", "hold no rows; send at least one.");
        }

        if (rows > maxBatch)
        {
            throw new InvalidInputException("inputs", $"hold {rows} rows, more than {maxBatch} (Serving:Limits:MaxBatchSize).");
        }

        var task = lease.Generation.Manifest.Task;
        var classes = lease.Generation.ClassNames;
        var batch = engine.Rows;
        batch.Resize(rows);
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns.Length; c++)
            {
                SetValue(batch, c, columns[c]![r], r);
            }
        }

        // Every value is read and valid: score the rows with the engine chosen for this many.
        lease.Generation.Score(engine);
        var outputs = engine.Outputs;
        var labels = new string[rows];
        var scores = new float[task == ModelTask.Multiclass ? rows * classes.Length : rows];
        var probabilities = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            switch (task)
            {
                case ModelTask.Regression:
                    scores[r] = outputs.Score[r];
                    break;
                case ModelTask.Binary:
                    scores[r] = outputs.Score[r];
                    probabilities[r] = outputs.Probability[r];
                    labels[r] = classes[outputs.Positive[r] ? 1 : 0].Value;
                    break;
                default:
                    labels[r] = outputs.Label[r].ToString();
                    var s = outputs.ScoresOf(r);
                    for (var k = 0; k < classes.Length && k < s.Length; k++)
                    {
                        scores[(r * classes.Length) + k] = s[k];
                    }

                    break;
            }
        }

        output.WriteStartObject();
        output.WriteString("model_name", modelName);
        output.WriteString("model_version", lease.Generation.Version);
        // The protocol's own request id is echoed; without one, the answer carries the prediction id (X-Request-Id).
        output.WriteString("id", root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? JsonText.GetString(id, "id") : requestId);

        output.WriteStartArray("outputs");
        if (task != ModelTask.Regression)
        {
            WriteTensor(output, "label", "BYTES", [rows], w => Array.ForEach(labels, w.WriteStringValue));
        }

        if (task == ModelTask.Binary)
        {
            WriteTensor(output, "probability", "FP32", [rows], w => WriteFloats(w, probabilities));
        }

        WriteTensor(output, task == ModelTask.Multiclass ? "scores" : "score", "FP32",
            task == ModelTask.Multiclass ? [rows, classes.Length] : [rows], w => WriteFloats(w, scores));
        output.WriteEndArray();
        output.WriteEndObject();
        output.Flush();
        return rows;
    }

    private static int[] ReadShape(JsonElement input, string field)
    {
        if (!input.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidInputException(field + ".shape", "is required: [rows] or [rows, 1].");
        }

        var dims = new List<int>();
        foreach (var dim in shape.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt32(out var value) || value < 0)
            {
                throw new InvalidInputException(field + ".shape", "must hold non-negative integers.");
            }

            dims.Add(value);
        }

        return [.. dims];
    }

    private static void Flatten(JsonElement data, List<JsonElement> values, string field)
    {
        foreach (var item in data.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Array)
            {
                Flatten(item, values, field);
            }
            else
            {
                values.Add(item);
            }
        }
    }

    private static void SetValue(RowBatch batch, int column, JsonElement value, int row)
    {
        var name = batch.Binding.Columns[column].Name;
        if (batch.Binding.Columns[column].IsText)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    batch.SetText(column, row, JsonText.GetString(value, $"{name}.data[{row}]"));
                    break;
                case JsonValueKind.Null:
                    batch.SetText(column, row, default);
                    break;
                default:
                    throw new InvalidInputException($"{name}.data[{row}]", "must be a string (BYTES).");
            }

            return;
        }

        switch (value.ValueKind)
        {
            // Straight to float, as the instances protocol reads numbers (not through a double: double rounding).
            case JsonValueKind.Number when value.TryGetSingle(out var number) && float.IsFinite(number):
                batch.SetNumber(column, row, number);
                break;
            case JsonValueKind.Number:
                throw new InvalidInputException($"{name}.data[{row}]", "is out of range for a 32-bit float.");
            case JsonValueKind.Null:
                batch.SetNumber(column, row, float.NaN);
                break;
            default:
                throw new InvalidInputException($"{name}.data[{row}]", "must be a number (NaN and infinities are not allowed; null means missing).");
        }
    }

    private static void WriteTensor(Utf8JsonWriter output, string name, string datatype, int[] shape, Action<Utf8JsonWriter> writeData)
    {
        output.WriteStartObject();
        output.WriteString("name", name);
        output.WriteString("datatype", datatype);
        output.WriteStartArray("shape");
        foreach (var dim in shape)
        {
            output.WriteNumberValue(dim);
        }

        output.WriteEndArray();
        output.WriteStartArray("data");
        writeData(output);
        output.WriteEndArray();
        output.WriteEndObject();
    }

    private static void WriteFloats(Utf8JsonWriter output, float[] values)
    {
        foreach (var value in values)
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

}
