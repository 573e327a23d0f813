using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MLPipeline.Deploy.Tests;

/// <summary>An Azure DevOps YAML file of pipelines/azure-devops, parsed, with its parameters' defaults and variables.</summary>
public sealed partial class PipelineFile
{
    private PipelineFile(string path)
    {
        FullPath = path;
        RelativePath = Path.GetRelativePath(RepoRoot.Path, path).Replace('\\', '/');
        Text = File.ReadAllText(path);
        Json = YamlJson.ToJson(YamlJson.Load(Text))!.AsObject();
    }

    public string FullPath { get; }

    public string RelativePath { get; }

    public string Text { get; }

    public JsonObject Json { get; }

    public bool IsTemplate => RelativePath.Contains("/templates/", StringComparison.Ordinal);

    public static IReadOnlyList<string> Paths =>
        Directory.EnumerateFiles(RepoRoot.AzurePipelines, "*.yml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

    public static IReadOnlyList<PipelineFile> All => Paths.Select(Load).ToList();

    public static PipelineFile Load(string path) => new(path);

    public static PipelineFile Named(string relativeToAzurePipelines) => Load(Path.Combine(RepoRoot.AzurePipelines, relativeToAzurePipelines));

    /// <summary>Every object anywhere in the file (steps, jobs, stages, inputs, ...).</summary>
    public IEnumerable<JsonObject> Objects => Descendants(Json).OfType<JsonObject>();

    public IEnumerable<string> Strings => Descendants(Json).OfType<JsonValue>().Select(value => value.GetValue<string>());

    /// <summary>Template parameter defaults, by name.</summary>
    public IReadOnlyDictionary<string, string> ParameterDefaults =>
        (Json["parameters"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(parameter => parameter["default"] is JsonValue)
            .ToDictionary(parameter => (string)parameter["name"]!, parameter => (string)parameter["default"]!);

    /// <summary>Variables with a literal value, by name (list form or mapping form).</summary>
    public IReadOnlyDictionary<string, string> Variables =>
        Json["variables"] switch
        {
            JsonArray list => list.OfType<JsonObject>().Where(variable => variable["name"] is not null && variable["value"] is JsonValue)
                .ToDictionary(variable => (string)variable["name"]!, variable => (string)variable["value"]!),
            JsonObject mapping => mapping.Where(pair => pair.Value is JsonValue).ToDictionary(pair => pair.Key, pair => (string)pair.Value!),
            _ => new Dictionary<string, string>(),
        };

    /// <summary>
    /// The text with <c>${{ parameters.x }}</c> replaced by its default and <c>$(x)</c> by the
    /// variable's value where the file defines them: what a run with default choices sees.
    /// </summary>
    public string ExpandedText()
    {
        var parameters = ParameterDefaults;
        var variables = Variables;
        var text = TemplateParameter().Replace(Text, match => parameters.TryGetValue(match.Groups["name"].Value, out var value) ? value : match.Value);
        for (var pass = 0; pass < 3; pass++)
        {
            text = MacroVariable().Replace(text, match => variables.TryGetValue(match.Groups["name"].Value, out var value) ? value : match.Value);
            text = TemplateParameter().Replace(text, match => parameters.TryGetValue(match.Groups["name"].Value, out var value) ? value : match.Value);
        }

        return text;
    }

    /// <summary>The text with <c>${{ parameters.x }}</c> replaced by its default where it has one.</summary>
    public string ExpandedParametersText()
    {
        var parameters = ParameterDefaults;
        return TemplateParameter().Replace(Text, match => parameters.TryGetValue(match.Groups["name"].Value, out var value) ? value : match.Value);
    }

    public override string ToString() => RelativePath;

    public static IEnumerable<JsonNode> Descendants(JsonNode? node)
    {
        if (node is null)
        {
            yield break;
        }

        yield return node;
        var children = node switch
        {
            JsonObject obj => obj.Select(pair => pair.Value),
            JsonArray array => array,
            _ => [],
        };
        foreach (var descendant in children.SelectMany(Descendants))
        {
            yield return descendant;
        }
    }

    [GeneratedRegex(@"\$\{\{\s*parameters\.(?<name>\w+)\s*\}\}")]
    private static partial Regex TemplateParameter();

    [GeneratedRegex(@"\$\((?<name>[\w.]+)\)")]
    private static partial Regex MacroVariable();
}
