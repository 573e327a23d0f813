using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLPipeline.TestSupport;

/// <summary>
/// The one way tests write a training spec: the JSON a user would write, set field by field, written into a folder
/// the test owns. A field left unset keeps the spec's default.
/// </summary>
public sealed class TestSpec
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly JsonObject _json;

    private TestSpec(JsonObject json) => _json = json;

    /// <summary>A spec over <paramref name="dataPath"/> (a file, or a blob URI); <paramref name="trainers"/> is a name, an object or an array.</summary>
    public TestSpec(string name, string dataPath, string label, string task, JsonNode trainers)
        : this(new JsonObject
        {
            ["name"] = name,
            ["data"] = new JsonObject { ["path"] = dataPath },
            ["label"] = label,
            ["task"] = task,
            ["trainers"] = trainers,
        })
    {
    }

    public string Name => _json["name"]!.GetValue<string>();

    /// <summary>A spec over one of the bundled data sets in data/.</summary>
    public static TestSpec OverBundledData(string name, string dataFile, string label, string task, JsonNode trainers) =>
        new(name, RepositoryRoot.Data(dataFile), label, task, trainers);

    /// <summary>A copy of a bundled spec in pipelines/, to change before writing.</summary>
    public static TestSpec FromBundled(string specName) =>
        new(JsonNode.Parse(File.ReadAllText(RepositoryRoot.Spec(specName)))!.AsObject());

    /// <summary>
    /// Sets a field: a JsonNode as it is, any other value serialized (numbers, strings, anonymous objects such as
    /// <c>new { onnx = false }</c>); null removes the field.
    /// </summary>
    public TestSpec With(string field, object? value)
    {
        if (value is null)
        {
            _json.Remove(field);
        }
        else
        {
            _json[field] = value as JsonNode ?? JsonSerializer.SerializeToNode(value);
        }

        return this;
    }

    /// <summary>Sets a field from JSON text, as a test quotes it from the docs: <c>WithJson("search", """{ "strategy": "random" }""")</c>.</summary>
    public TestSpec WithJson(string field, string json) => With(field, JsonNode.Parse(json));

    /// <summary>No cross-validation (folds 0): the quick way to a trained model when the test is not about the search.</summary>
    public TestSpec WithoutCrossValidation() => With("folds", 0);

    public string Json => _json.ToJsonString(Indented);

    /// <summary>Writes the spec as <c>&lt;name&gt;.json</c> (or <paramref name="fileName"/>) into the folder; returns its path.</summary>
    public string WriteTo(TempFolder folder, string? fileName = null) => folder.File(fileName ?? Name + ".json", Json);

    public override string ToString() => Json;
}
