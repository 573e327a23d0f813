using System.Text.Json;
using MLPipeline.TestSupport;

namespace MLPipeline.Serving.Tests.Onnx;

/// <summary>
/// The ONNX models other frameworks exported (data/onnx-models, see its PROVENANCE.md): files, labels, and the sample
/// inputs with the outputs the model's own framework computed for them (the parity reference).
/// </summary>
public sealed class OnnxSamples
{
    public const string Digits = "digits-cnn";
    public const string HousePrices = "house-prices-mlp";
    public const string Linear = "linear-2x-minus-1";
    public const string Iris = "iris-logreg-sklearn";

    public static readonly string[] All = [Digits, HousePrices, Linear, Iris];

    private OnnxSamples(string name)
    {
        Name = name;
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, name + ".samples.json")));
        var root = document.RootElement.Clone();
        // house-prices-mlp's samples also name its feature order beside the tensor.
        var inputs = root.GetProperty("inputs").EnumerateObject().Single(p => p.Value[0].ValueKind == JsonValueKind.Array);
        InputName = inputs.Name;
        Rows = [.. inputs.Value.EnumerateArray()];
        Outputs = root.GetProperty("outputs").EnumerateObject().ToDictionary(o => o.Name, o => o.Value.EnumerateArray().ToArray());
        Labels = LabelsFile is { } labels ? JsonSerializer.Deserialize<string[]>(File.ReadAllText(labels)) : null;
    }

    public static string Folder => Path.Combine(RepositoryRoot.Path, "data", "onnx-models");

    public string Name { get; }

    public string File_ => Path.Combine(Folder, Name + ".onnx");

    public string SamplesFile => Path.Combine(Folder, Name + ".samples.json");

    public string? LabelsFile => File.Exists(Path.Combine(Folder, Name + ".labels.json")) ? Path.Combine(Folder, Name + ".labels.json") : null;

    public string InputName { get; }

    /// <summary>One nested array per sample row (without the batch dimension).</summary>
    public JsonElement[] Rows { get; }

    /// <summary>Reference output name -> one value per row.</summary>
    public Dictionary<string, JsonElement[]> Outputs { get; }

    public string[]? Labels { get; }

    public static OnnxSamples Of(string name) => new(name);

    /// <summary>Every number in a nested JSON value, in row-major order.</summary>
    public static List<double> Flat(JsonElement value)
    {
        var numbers = new List<double>();
        Collect(value, numbers);
        return numbers;
    }

    /// <summary>The shape of one row (its nesting).</summary>
    public static List<long> ShapeOf(JsonElement row)
    {
        var shape = new List<long>();
        for (var probe = row; probe.ValueKind == JsonValueKind.Array; probe = probe[0])
        {
            shape.Add(probe.GetArrayLength());
        }

        return shape;
    }

    private static void Collect(JsonElement value, List<double> numbers)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                Collect(item, numbers);
            }
        }
        else
        {
            numbers.Add(value.ValueKind == JsonValueKind.Null ? double.NaN : value.GetDouble());
        }
    }
}
